import type { Request, RequestHandler } from 'express';
import type { Pool } from 'pg';
import { hasApproverRole, type Actor } from '../domain';
import { findActiveKey, hashApiKey, type ApiKeyGrant } from '../store/api-key-repo';
import { Forbidden, Unauthorized } from './errors';
import type { AuthFailureLimit } from './rate-limit';

/** Who may call a route, by the roles on the key. */
export interface RoleRule {
  describe: string;
  allows(roles: string[]): boolean;
}

export const anyRole: RoleRule = { describe: 'any role', allows: () => true };

export function oneOf(...wanted: string[]): RoleRule {
  return { describe: `one of ${wanted.join(', ')}`, allows: (roles) => roles.some((r) => wanted.includes(r)) };
}

/**
 * Approver actions: any role but viewer and integration. Which approver role may act on a case
 * depends on the policy's ladder and the case's rung; the workflow's validators decide that.
 */
export const approverRole: RoleRule = {
  describe: 'an approver role (not viewer or integration)',
  allows: (roles) => hasApproverRole({ roles }),
};

const MAX_CACHED = 10_000;
/** an unknown key is answered from memory this long: guessing keys costs no database lookups */
export const UNKNOWN_KEY_CACHE_MS = 2000;

/**
 * Resolves `Authorization: Bearer <key>`. Resolved keys are cached in-process for `cacheMs`
 * (a revoked key stops working within that time, an expiring one at its expiry); unknown keys
 * are remembered only briefly, so a key created a moment ago works within two seconds.
 */
export function authenticate(db: Pool, cacheMs: number, failures?: AuthFailureLimit): RequestHandler {
  const cache = new Map<string, { grant: ApiKeyGrant; until: number }>();
  const misses = new Map<string, number>();
  return async (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || match[1].length > 200) throw new Unauthorized();
    const key = match[1];
    const hash = hashApiKey(key);
    const now = Date.now();
    if ((misses.get(hash) ?? 0) > now) throw new Unauthorized('the API key is unknown, expired or revoked');
    const hit = cache.get(hash);
    let grant = hit && hit.until > now ? hit.grant : null;
    if (!grant) {
      const ip = req.ip ?? 'unknown';
      await failures?.check(ip);
      grant = await findActiveKey(db, key);
      if (!grant) {
        failures?.failed(ip);
        cache.delete(hash);
        if (misses.size >= MAX_CACHED) misses.clear();
        misses.set(hash, now + UNKNOWN_KEY_CACHE_MS);
        throw new Unauthorized('the API key is unknown, expired or revoked');
      }
      if (cache.size >= MAX_CACHED) cache.clear();
      const expires = grant.expiresAt ? Date.parse(grant.expiresAt) : Infinity;
      cache.set(hash, { grant, until: Math.min(now + cacheMs, expires) });
    }
    req.auth = grant;
    req.log = req.log.child({ userId: grant.userId, keyId: grant.id });
    next();
  };
}

export function requireRole(rule: RoleRule): RequestHandler {
  return (req, _res, next) => {
    const roles = req.auth?.roles ?? [];
    if (!rule.allows(roles)) throw new Forbidden(`this route needs ${rule.describe}; the key has ${roles.join(', ') || 'no roles'}`);
    next();
  };
}

/** The actor the workflow's validators see: user, roles and sites of the key. */
export function actorOf(req: Request): Actor {
  if (!req.auth) throw new Unauthorized();
  return { userId: req.auth.userId, roles: [...req.auth.roles], sites: [...req.auth.sites] };
}
