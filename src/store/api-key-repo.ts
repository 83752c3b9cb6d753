import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { effectivePolicy, knownRoles } from '../domain';
import { getActivePolicy } from './policy-repo';

/** What a key grants; `sites: ['*']` means every site. */
export interface ApiKeyGrant {
  id: string;
  userId: string;
  roles: string[];
  sites: string[];
  /** when the key stops working, if it was given an expiry */
  expiresAt?: string;
}

export interface ApiKeyInfo extends ApiKeyGrant {
  createdAt: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

/** A key asked for a role no policy knows: a typo, or a role that would pass checks it should not. */
export class UnknownRoleError extends Error {
  constructor(
    readonly unknown: string[],
    readonly known: string[],
  ) {
    super(`unknown role(s) ${unknown.join(', ')}; known roles: ${known.join(', ')}`);
  }
}

/** A key that works: not revoked, not expired (the one definition the look-ups share). */
const ACTIVE = `revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`;

/** Keys are stored only as their sha256; the plain key is shown once, when created. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Creates a key for roles the active policy knows (its approver roles, admin, viewer, integration). */
export async function createApiKey(
  pool: Pool,
  grant: { userId: string; roles: string[]; sites: string[]; expiresAt?: Date },
): Promise<{ id: string; key: string }> {
  const active = await getActivePolicy(pool);
  // a role only a site's layer names (its own ladder) is known too
  const known = [...new Set([active.document, ...Object.keys(active.document.overrides ?? {}).map((site) => effectivePolicy(active, site).document)].flatMap(knownRoles))].sort();
  const unknown = grant.roles.filter((r) => !known.includes(r));
  if (unknown.length > 0) throw new UnknownRoleError(unknown, known);
  const key = `rk_${randomBytes(32).toString('base64url')}`;
  const id = `key_${randomBytes(8).toString('hex')}`;
  await pool.query('INSERT INTO api_keys (id, key_hash, user_id, roles, sites, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
    id,
    hashApiKey(key),
    grant.userId,
    grant.roles,
    grant.sites,
    grant.expiresAt ?? null,
  ]);
  return { id, key };
}

/**
 * The grant of a key that is neither revoked nor expired; records its use (at most once a
 * minute per key, so a busy key does not write on every request).
 */
export async function findActiveKey(pool: Pool, key: string): Promise<ApiKeyGrant | null> {
  const { rows } = await pool.query(
    `WITH k AS (
       SELECT id, user_id, roles, sites, expires_at, last_used_at FROM api_keys
       WHERE key_hash = $1 AND ${ACTIVE}
     ), used AS (
       UPDATE api_keys a SET last_used_at = now() FROM k
       WHERE a.id = k.id AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute')
     )
     SELECT id, user_id, roles, sites, expires_at FROM k`,
    [hashApiKey(key)],
  );
  if (!rows.length) return null;
  const r = rows[0];
  return { id: r.id, userId: r.user_id, roles: r.roles, sites: r.sites, ...(r.expires_at ? { expiresAt: new Date(r.expires_at).toISOString() } : {}) };
}

/**
 * The id and holder of a key that is neither revoked nor expired, without recording a use: what
 * `keys check` asks of a key kept in a file (scripts/dev.sh's data/admin.key after a reset).
 */
export async function describeActiveKey(pool: Pool, key: string): Promise<{ id: string; userId: string } | null> {
  const { rows } = await pool.query<{ id: string; user_id: string }>(
    `SELECT id, user_id FROM api_keys WHERE key_hash = $1 AND ${ACTIVE}`,
    [hashApiKey(key)],
  );
  return rows.length ? { id: rows[0].id, userId: rows[0].user_id } : null;
}

/** Whether a key (by id) still works: what open streams re-check, so revocation reaches them. */
export async function keyStillActive(pool: Pool, id: string): Promise<boolean> {
  const { rows } = await pool.query(`SELECT 1 FROM api_keys WHERE id = $1 AND ${ACTIVE}`, [id]);
  return rows.length > 0;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : undefined);

export async function listApiKeys(pool: Pool): Promise<ApiKeyInfo[]> {
  const { rows } = await pool.query('SELECT id, user_id, roles, sites, created_at, revoked_at, expires_at, last_used_at FROM api_keys ORDER BY created_at, id');
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    roles: r.roles,
    sites: r.sites,
    createdAt: new Date(r.created_at).toISOString(),
    revokedAt: iso(r.revoked_at),
    expiresAt: iso(r.expires_at),
    lastUsedAt: iso(r.last_used_at),
  }));
}

/** Revokes a key; false when no active key has this id. */
export async function revokeApiKey(pool: Pool, id: string): Promise<boolean> {
  const res = await pool.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return (res.rowCount ?? 0) > 0;
}
