import type { RequestHandler } from 'express';
import { TooManyRequests } from './errors';
import { LocalWindow } from './local-window';
import type { RedisGuard } from './redis-guard';

export { TooManyRequests };

const WINDOW_MS = 60_000;

// A fixed one-minute window per API key that starts with the key's first request: INCR, and the
// first request of a window sets its expiry. Atomic in Redis, so replicas share one budget.
const COUNT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

/**
 * `limit` requests per minute per API key, on every /v1 route (after authentication, before the
 * body is read). Answers carry RateLimit-Limit/-Remaining/-Reset (seconds until the window
 * resets); over the limit: 429 problem+json with Retry-After. Redis down: not limited.
 */
export function rateLimit(guard: RedisGuard, limit: number): RequestHandler {
  // Redis down: each replica limits on its own rather than not at all
  const local = new LocalWindow(WINDOW_MS);
  return async (req, res, next) => {
    const keyId = req.auth?.id;
    if (!keyId) return next();
    const counted = await guard.run('rate_limit', (r) => r.eval(COUNT_SCRIPT, 1, `reckon:ratelimit:${keyId}`, WINDOW_MS) as Promise<[number, number]>);
    const [n, ttlMs] = counted ?? local.hit(keyId);
    const resetSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
    res.set({
      'RateLimit-Limit': String(limit),
      'RateLimit-Remaining': String(Math.max(0, limit - n)),
      'RateLimit-Reset': String(resetSeconds),
    });
    if (n > limit) throw new TooManyRequests(`more than ${limit} requests a minute with this API key; retry in ${resetSeconds} s`, resetSeconds);
    next();
  };
}

/** What authentication asks before a key lookup, and tells after one failed. */
export interface AuthFailureLimit {
  /** throws 429 when the caller's address sent too many unknown keys this minute */
  check(ip: string): Promise<void>;
  failed(ip: string): void;
}

/**
 * Unknown keys per address: an address that sent more than `limit` unknown keys this minute gets
 * 429 before any lookup, so guessing keys costs neither database lookups nor hashing at scale.
 * Asked only when a key is not in the cache of known keys, so a busy client with a good key is
 * never slowed. Redis shares the count across replicas; without it each replica counts alone.
 */
export function authFailureLimit(guard: RedisGuard, limit: number): AuthFailureLimit {
  const local = new LocalWindow(WINDOW_MS);
  const redisKey = (ip: string) => `reckon:authfail:${ip}`;
  return {
    async check(ip) {
      const seen = await guard.run('rate_limit', async (r) => Number((await r.get(redisKey(ip))) ?? 0));
      if (Math.max(seen ?? 0, local.peek(ip)) >= limit) {
        throw new TooManyRequests(`more than ${limit} unknown API keys from this address in a minute; retry later`, 60);
      }
    },
    failed(ip) {
      local.hit(ip);
      void guard.run('rate_limit', (r) => r.eval(COUNT_SCRIPT, 1, redisKey(ip), WINDOW_MS));
    },
  };
}
