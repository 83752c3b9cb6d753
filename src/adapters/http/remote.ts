import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import type { Logger } from '../../logger';
import { correlationHeaders } from '../../observability/correlation';
import { AdapterRejection } from '../errors';
import { currentActivity } from './activity-scope';
import { CircuitBreaker } from './circuit';
import { HEADERS, PROBLEM_CODES, Problem } from './contract';
import { CircuitOpen, RemoteContractViolation, RemoteUnavailable } from './errors';

export interface RetryOptions {
  /** attempts per call, the first included */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}
export const DEFAULT_RETRY: RetryOptions = { attempts: 3, baseDelayMs: 100, maxDelayMs: 2000 };

export interface RemoteOptions {
  /** `wms`, `erp`, `webhook`: names the remote in errors and logs */
  name: string;
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  circuit: { failures: number; resetMs: number };
  retry?: Partial<RetryOptions>;
  logger: Logger;
}

export interface CallSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** every write carries one; the remote answers a repeat with the first answer */
  idempotencyKey?: string;
}

export interface CallResult<T> {
  data: T;
  /** the remote said it answered from an earlier request with the same key */
  replayed: boolean;
}

/** What one HTTP exchange told us, before deciding whether to retry. */
type Outcome<T> =
  | { kind: 'ok'; result: CallResult<T> | null }
  | { kind: 'refused'; error: AdapterRejection }
  | { kind: 'retry'; error: Error; retryAfterMs?: number };

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * One remote system: fetch with a per-attempt timeout, retries with exponential backoff and
 * jitter (outside activities only: there Temporal's retry policy is the one layer), and a
 * circuit breaker. Reads are idempotent by nature and writes carry an
 * Idempotency-Key, so every call may be retried. 4xx answers are business refusals
 * (AdapterRejection, never retried); timeouts, network errors, 5xx and 429 are retried here,
 * then surface as retryable errors for Temporal.
 */
export class Remote {
  readonly circuit: CircuitBreaker;
  private readonly retry: RetryOptions;
  private readonly baseUrl: string;

  constructor(private readonly opts: RemoteOptions) {
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.circuit = new CircuitBreaker({
      ...opts.circuit,
      onChange: (from, to) => opts.logger.warn({ remote: opts.name, from, to }, `${opts.name} circuit ${to}`),
    });
  }

  /** A call whose answer has a body: reads of evidence and every write. */
  async call<S extends z.ZodType>(spec: CallSpec, schema: S): Promise<CallResult<z.output<S>>> {
    const result = await this.run(spec, schema, false);
    return result!;
  }

  /** A read of one thing by its path (master data): 404 answers null. */
  async find<S extends z.ZodType>(spec: CallSpec, schema: S): Promise<z.output<S> | null> {
    const result = await this.run(spec, schema, true);
    return result === null ? null : result.data;
  }

  private async run<S extends z.ZodType>(spec: CallSpec, schema: S, notFoundIsNull: boolean): Promise<CallResult<z.output<S>> | null> {
    let last: Error | undefined;
    const activity = currentActivity();
    // in an activity, Temporal retries (with the activity's timeout above one exchange's)
    const attempts = activity ? 1 : this.retry.attempts;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (!this.circuit.tryAcquire()) {
        const open = new CircuitOpen(this.opts.name, this.circuit.retryInMs());
        if (last) open.cause = last;
        throw open;
      }
      const outcome = await this.exchange(spec, schema, notFoundIsNull, activity?.signal);
      if (outcome.kind === 'ok') return outcome.result;
      if (outcome.kind === 'refused') throw outcome.error;
      last = outcome.error;
      if (attempt === attempts) break;
      const delay = Math.max(this.backoff(attempt), Math.min(outcome.retryAfterMs ?? 0, this.retry.maxDelayMs));
      this.opts.logger.debug({ remote: this.opts.name, path: spec.path, attempt, delay, err: last.message }, 'retrying remote call');
      await new Promise((r) => setTimeout(r, delay));
    }
    throw last!;
  }

  /** Exponential backoff with equal jitter: half the step fixed, half random. */
  private backoff(attempt: number): number {
    const step = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.ceil(step / 2) + randomInt(Math.ceil(step / 2) + 1);
  }

  private url(spec: CallSpec): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) params.set(k, v);
    const qs = params.toString();
    return `${this.baseUrl}${spec.path}${qs ? `?${qs}` : ''}`;
  }

  private async exchange<S extends z.ZodType>(spec: CallSpec, schema: S, notFoundIsNull: boolean, cancelled?: AbortSignal): Promise<Outcome<z.output<S>>> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${this.opts.apiKey}` };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    if (spec.idempotencyKey !== undefined) headers[HEADERS.idempotencyKey] = spec.idempotencyKey;
    // the remote can tie its own logs to the case, request or queue message that caused the call
    Object.assign(headers, correlationHeaders());
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs);
    let status: number;
    let replayed: boolean;
    let retryAfter: string | null;
    let body: string;
    try {
      // the timer covers the whole exchange, body included: a remote that stalls mid-body times out too
      const res = await fetch(this.url(spec), {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: cancelled ? AbortSignal.any([controller.signal, cancelled]) : controller.signal,
      });
      status = res.status;
      replayed = res.headers.get(HEADERS.replayed)?.toLowerCase() === 'true';
      retryAfter = res.headers.get('retry-after');
      body = await res.text();
    } catch (err) {
      this.circuit.failure();
      const timedOut = controller.signal.aborted;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const detail = timedOut ? `no answer within ${this.opts.timeoutMs} ms` : `unreachable (${cause?.code ?? cause?.message ?? (err as Error).message})`;
      return { kind: 'retry', error: new RemoteUnavailable(this.opts.name, timedOut ? 'timeout' : 'unreachable', `${spec.method} ${spec.path}: ${detail}`) };
    } finally {
      clearTimeout(timer);
    }
    return this.classify(spec, schema, notFoundIsNull, { status, replayed, retryAfter, body });
  }

  private classify<S extends z.ZodType>(
    spec: CallSpec,
    schema: S,
    notFoundIsNull: boolean,
    { status, replayed, retryAfter, body }: { status: number; replayed: boolean; retryAfter: string | null; body: string },
  ): Outcome<z.output<S>> {
    const what = `${spec.method} ${spec.path}`;
    if (status >= 200 && status < 300) {
      this.circuit.success();
      const parsed = schema.safeParse(parseJson(body));
      if (!parsed.success) {
        const fields = parsed.error.issues.map((i) => i.path.join('.') || '(body)').join(', ');
        throw new RemoteContractViolation(this.opts.name, `${what} answered ${status} with a body outside the contract (${fields})`);
      }
      return { kind: 'ok', result: { data: parsed.data, replayed } };
    }
    const problem = Problem.safeParse(parseJson(body));
    const p = problem.success ? problem.data : {};
    const code = p.code ?? p.type?.split(/[:/]/).pop() ?? `http_${status}`;
    const detail = p.detail ?? p.title ?? `answered ${status}`;
    if (status === 404 && notFoundIsNull) {
      this.circuit.success();
      return { kind: 'ok', result: null };
    }
    if (status === 409 && code === PROBLEM_CODES.keyInUse) {
      // the remote is working on this key already: healthy, just busy with our earlier attempt
      this.circuit.release();
      return { kind: 'retry', error: new RemoteUnavailable(this.opts.name, code, `${what}: ${detail}`), retryAfterMs: retryAfterMs(retryAfter) };
    }
    if (RETRYABLE_STATUS.has(status) || (status >= 500 && status !== 501) || status === 401 || status === 403) {
      // 401/403 is a key problem on our side: retried (an operator can fix the key and the case goes on)
      this.circuit.failure();
      const reason = status === 401 || status === 403 ? 'unauthorized' : `http_${status}`;
      return { kind: 'retry', error: new RemoteUnavailable(this.opts.name, reason, `${what} answered ${status}: ${detail}`), retryAfterMs: retryAfterMs(retryAfter) };
    }
    this.circuit.success();
    const error = new AdapterRejection(status === 501 ? 'not_implemented' : code, `${this.opts.name} refused ${what} (${status}): ${detail}`);
    return { kind: 'refused', error };
  }
}

function parseJson(body: string): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
