import { createHash, randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { canonicalJson } from '../domain';
import { ApiError, Unprocessable, ValidationError } from './errors';
import type { RedisGuard } from './redis-guard';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KEY_FORMAT = /^[A-Za-z0-9._:-]{1,128}$/;
/** response headers a replay repeats (the correlation id is the new request's own) */
const KEPT_HEADERS = ['content-type', 'location'];

interface InFlight {
  state: 'in_flight';
  fingerprint: string;
  /** the request holding the key: only it renews its claim */
  holder: string;
}
interface Stored {
  state: 'done';
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}
type Entry = InFlight | Stored;

export interface IdempotencyOptions {
  /** how long a stored answer is replayed */
  ttlSeconds: number;
  /**
   * how long a claim lives unless renewed: the request holding a key renews it while it runs,
   * so a slow request keeps it and a process that died mid-request frees it after this
   */
  leaseMs: number;
}

/** Extends a claim only while it is still the caller's own (not stored, not another's). */
const RENEW_CLAIM = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * Stores the answer (ARGV[2]; empty: frees the key, for a 5xx) while the claim is still the
 * caller's, or lapsed with nobody else's in its place: never over another request's claim.
 */
const SETTLE_CLAIM = `local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return 0 end
if ARGV[2] == '' then return redis.call('DEL', KEYS[1]) end
return redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])`;

export class IdempotencyKeyInUse extends ApiError {
  constructor() {
    super(409, 'conflict', 'Conflict', 'a request with this Idempotency-Key is still in progress; retry shortly', { 'Retry-After': '1' });
  }
}

/** Method, path and body: the same key with anything else is a different request. */
function fingerprintOf(req: Request): string {
  const path = req.originalUrl.split('?')[0];
  return createHash('sha256').update(`${req.method} ${path}\n${canonicalJson(req.body ?? null)}`).digest('hex');
}

function replay(res: Response, stored: Stored): void {
  res.status(stored.status).set(stored.headers).set('Idempotent-Replayed', 'true').send(stored.body);
}

/**
 * `Idempotency-Key` on mutating requests, scoped to the API key. The first request with a key
 * claims it and runs; its answer is stored for `ttlSeconds` before the client sees it, so a
 * retry gets the stored status and body (with `Idempotent-Replayed: true`) and the handler does
 * not run again. The same key with another method, path or body: 422. While the first request
 * is still running (its claim renewed every third of `leaseMs`): 409 with Retry-After. Answers of
 * 500 and above are not stored (a retry runs again).
 * Redis down: requests pass through, and approver actions still reach Temporal with the key as
 * their update id (src/api/services/case-actions.ts), so those stay idempotent.
 */
export function idempotency(guard: RedisGuard, opts: IdempotencyOptions): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('idempotency-key');
    if (!MUTATING.has(req.method) || key === undefined || !req.auth) return next();
    if (!KEY_FORMAT.test(key)) {
      throw new ValidationError([{ path: 'header.idempotency-key', message: '1-128 letters, digits, . _ : -' }]);
    }
    const redisKey = `reckon:idempotency:${req.auth.id}:${key}`;
    const fingerprint = fingerprintOf(req);
    const claim = JSON.stringify({ state: 'in_flight', fingerprint, holder: randomUUID() } satisfies InFlight);

    // claim the key, or learn who has it (twice: the holder's entry may expire between the two calls)
    for (let attempt = 0; attempt < 2; attempt++) {
      const found = await guard.run('idempotency', async (r) => {
        const claimed = await r.set(redisKey, claim, 'PX', opts.leaseMs, 'NX');
        return claimed === 'OK' ? ({ claimed: true } as const) : ({ claimed: false, entry: await r.get(redisKey) } as const);
      });
      if (!found) return next(); // degraded: run without a record
      if (found.claimed) {
        const renewing = setInterval(() => void guard.run('idempotency', (r) => r.eval(RENEW_CLAIM, 1, redisKey, claim, opts.leaseMs)), opts.leaseMs / 3);
        renewing.unref();
        // the answer is being stored, or the client is gone (the claim then lapses after its lease)
        const stopRenewing = () => clearInterval(renewing);
        res.once('close', stopRenewing);
        storeAnswer(guard, res, { redisKey, claim, fingerprint }, opts.ttlSeconds, stopRenewing);
        return next();
      }
      if (found.entry === null) continue;
      const entry = JSON.parse(found.entry) as Entry;
      if (entry.fingerprint !== fingerprint) {
        throw new Unprocessable('this Idempotency-Key was used with a different request (method, path or body); use a new key for a new request');
      }
      if (entry.state === 'in_flight') {
        throw new IdempotencyKeyInUse();
      }
      return replay(res, entry);
    }
    next();
  };
}

/**
 * Wraps res.send so the answer is stored (or the key released, for 5xx) before it goes out.
 * Every JSON and problem answer passes through res.send; an answer written another way is
 * recorded when it finishes.
 */
function storeAnswer(
  guard: RedisGuard,
  res: Response,
  key: { redisKey: string; claim: string; fingerprint: string },
  ttlSeconds: number,
  settling: () => void,
): void {
  const send = res.send.bind(res);
  let settled = false;
  const settle = async (body: string) => {
    settled = true;
    settling();
    let answer = '';
    if (res.statusCode < 500) {
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const v = res.getHeader(name);
        if (v !== undefined) headers[name] = String(v);
      }
      answer = JSON.stringify({ state: 'done', fingerprint: key.fingerprint, status: res.statusCode, headers, body } satisfies Stored);
    }
    await guard.run('idempotency', (r) => r.eval(SETTLE_CLAIM, 1, key.redisKey, key.claim, answer, ttlSeconds));
  };
  res.send = ((body?: unknown) => {
    // objects come back here as a JSON string through res.json
    if (settled || !(typeof body === 'string' || Buffer.isBuffer(body))) return send(body);
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
    void settle(text).finally(() => send(body));
    return res;
  }) as Response['send'];
  res.on('finish', () => {
    if (!settled) void settle('');
  });
}
