import { timingSafeEqual, createHash } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ZodError, type z } from 'zod';
import type { Logger } from '../../src/logger';
import { AdapterRejection } from '../../src/adapters/errors';
import { PROBLEM_CONTENT_TYPE } from '../../src/adapters/http/contract';

/** An answer other than success, rendered as problem+json with the contract's `code`. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors?: { path: string; message: string }[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'Refusal';
  }
}

export function sendProblem(res: Response, p: Refusal): void {
  for (const [k, v] of Object.entries(p.headers)) res.setHeader(k, v);
  res
    .status(p.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify({ type: `urn:reckon:adapter:${p.code}`, title: p.code.replace(/_/g, ' '), status: p.status, detail: p.message, code: p.code, errors: p.errors }));
}

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, source: 'query' | 'body' | 'path'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalid(parsed.error, source);
}

function invalid(err: ZodError, source: string): Refusal {
  const errors = err.issues.flatMap((i) => {
    const at = [source, ...i.path.map(String)];
    return i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: [...at, k].join('.'), message: 'unknown field' })) : [{ path: at.join('.'), message: i.message }];
  });
  return new Refusal(400, 'invalid_request', `invalid ${errors.map((e) => e.path).join(', ')}`, errors);
}

/** `Authorization: Bearer <apiKey>`, compared in constant time. */
export function requireBearer(apiKey: string): RequestHandler {
  const want = createHash('sha256').update(apiKey).digest();
  return (req, _res, next) => {
    const m = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    const got = createHash('sha256').update(m?.[1] ?? '').digest();
    if (!m || !timingSafeEqual(want, got)) {
      throw new Refusal(401, 'unauthorized', 'a valid key is required: Authorization: Bearer <key>', undefined, { 'WWW-Authenticate': 'Bearer realm="reckon-ledger"' });
    }
    next();
  };
}

/** Ledger refusals keep their code; unknown things are 404, everything else the ledger refuses is 422. */
const NOT_FOUND_CODES = new Set(['hold_not_found', 'count_task_not_found']);
// Postgres connection failures and shutdowns: the ledger is down, not wrong
const PG_UNAVAILABLE = /^(08|57P0[1-3]|53)/;

export function problemMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let p: Refusal;
    if (err instanceof Refusal) p = err;
    else if (err instanceof AdapterRejection) p = new Refusal(NOT_FOUND_CODES.has(err.code) ? 404 : 422, err.code, err.message);
    else if (err instanceof ZodError) p = invalid(err, 'body');
    else if ((err as { type?: string }).type === 'entity.parse.failed') p = new Refusal(400, 'invalid_json', 'the body is not valid JSON');
    else if ((err as { type?: string }).type === 'entity.too.large') p = new Refusal(413, 'payload_too_large', 'the body is too large');
    else if (isUnavailable(err)) {
      logger.warn({ err: (err as Error).message, path: req.path }, 'ledger unavailable');
      p = new Refusal(503, 'ledger_unavailable', 'the ledger database is unavailable', undefined, { 'Retry-After': '1' });
    } else {
      logger.error({ err, path: req.path }, 'reference server fault');
      p = new Refusal(500, 'internal', 'the reference ledger failed; see its log');
    }
    sendProblem(res, p);
  };
}

function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && (PG_UNAVAILABLE.test(e.code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(e.code))) return true;
  return typeof e?.message === 'string' && /timeout exceeded when trying to connect|Connection terminated/i.test(e.message);
}
