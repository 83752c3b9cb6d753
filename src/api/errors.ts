import type { ErrorRequestHandler, Response } from 'express';
import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, NamespaceNotFoundError, WorkflowNotFoundError } from '@temporalio/common';
import type { ZodError } from 'zod';
import { REFUSAL_FAILURE_TYPES } from '../workflows/messages';
import type { Logger } from '../logger';

/** One entry per failing field; `path` is prefixed with where it came from: body., query., path. or header. */
export interface FieldError {
  path: string;
  message: string;
}

/** The body of every error answer (RFC 9457 application/problem+json). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  instance?: string;
  correlationId?: string;
}

const problemType = (slug: string) => `urn:reckon:problem:${slug}`;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
  get type(): string {
    return problemType(this.slug);
  }
}

export type InputSource = 'body' | 'query' | 'path' | 'header';

/**
 * Input refused, naming each field. 400: it breaks what the OpenAPI document states (type, pattern,
 * limits). 422: it is well-formed, but a rule the document cannot state refuses it (across fields,
 * a NUL character Postgres cannot store, a cursor this API did not issue).
 */
export class ValidationError extends ApiError {
  constructor(
    readonly errors: FieldError[],
    detail = `invalid input: ${errors.map((e) => e.path).join(', ')}`,
    status: 400 | 422 = 400,
  ) {
    super(status, status === 400 ? 'validation' : 'unprocessable', status === 400 ? 'Invalid request' : 'Unprocessable request', detail);
  }

  /** A well-formed value a rule refuses (422, naming the fields). */
  static rule(errors: FieldError[], detail?: string): ValidationError {
    return new ValidationError(errors, detail ?? `refused by a rule: ${errors.map((e) => e.path).join(', ')}`, 422);
  }

  static fromZod(err: ZodError, source: InputSource): ValidationError {
    // refinements (code custom) are the rules JSON Schema cannot state: 422 when they are all that failed
    const rulesOnly = err.issues.every((i) => i.code === 'custom');
    const errors: FieldError[] = [];
    for (const issue of err.issues) {
      const at = [source, ...issue.path.map(String)];
      // a strict object names its unknown keys in one issue; report each key as its own field
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) errors.push({ path: [...at, key].join('.'), message: 'unknown field' });
      } else {
        errors.push({ path: at.join('.'), message: issue.message });
      }
    }
    return rulesOnly ? ValidationError.rule(errors) : new ValidationError(errors);
  }
}

export class Unauthorized extends ApiError {
  constructor(detail = 'a valid API key is required: Authorization: Bearer <key>') {
    super(401, 'unauthorized', 'Unauthorized', detail, { 'WWW-Authenticate': 'Bearer realm="reckon"' });
  }
}
export class Forbidden extends ApiError {
  constructor(detail: string) {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}
export class NotFound extends ApiError {
  constructor(detail: string) {
    super(404, 'not-found', 'Not found', detail);
  }
}
export class MethodNotAllowed extends ApiError {
  constructor(detail: string, allowed: readonly string[]) {
    super(405, 'method-not-allowed', 'Method not allowed', detail, { Allow: allowed.join(', ') });
  }
}
export class Conflict extends ApiError {
  constructor(detail: string) {
    super(409, 'conflict', 'Conflict', detail);
  }
}
export class PayloadTooLarge extends ApiError {
  constructor(detail: string) {
    super(413, 'payload-too-large', 'Payload too large', detail);
  }
}
export class UnsupportedMediaType extends ApiError {
  /** `accepted`: the media types the route takes, also sent as Accept-Post (RFC 9110 §15.5.16) */
  constructor(detail: string, accepted: readonly string[] = ['application/json']) {
    super(415, 'unsupported-media-type', 'Unsupported media type', detail, { 'Accept-Post': accepted.join(', ') });
  }
}
export class Unprocessable extends ApiError {
  constructor(detail: string) {
    super(422, 'refused', 'Refused', detail);
  }
}
/** A compare-and-set write whose If-Match names a version that is no longer current. */
export class PreconditionFailed extends ApiError {
  constructor(detail: string, etag: string) {
    super(412, 'precondition-failed', 'Precondition failed', detail, { ETag: etag });
  }
}
/** A write that must say which version it changes (If-Match) did not. */
export class PreconditionRequired extends ApiError {
  constructor(detail: string) {
    super(428, 'precondition-required', 'Precondition required', detail);
  }
}
export class ServiceUnavailable extends ApiError {
  constructor(detail: string) {
    super(503, 'unavailable', 'Service unavailable', detail, { 'Retry-After': '5' });
  }
}

export class TooManyRequests extends ApiError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(429, 'rate-limited', 'Too many requests', detail, { 'Retry-After': String(retryAfterSeconds) });
  }
}

// gRPC status codes (not importing @grpc/grpc-js: it is only a transitive dependency)
const GRPC_UNAVAILABLE = new Set([1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);
// Temporal's own back-pressure (its rate limits): the caller should slow down, as on our 429
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_NOT_FOUND = 5;

function grpcCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; cause?: unknown } | undefined;
  if (e && typeof e.code === 'number') return e.code;
  const c = e?.cause as { code?: unknown } | undefined;
  return c && typeof c.code === 'number' ? c.code : undefined;
}

/** Refusals from the workflow's update validators (domain/authority Refusal → ApplicationFailure). */
function fromApplicationFailure(f: ApplicationFailure): ApiError {
  switch (f.type) {
    case REFUSAL_FAILURE_TYPES.forbidden:
      return new Forbidden(f.message);
    case REFUSAL_FAILURE_TYPES.conflict:
      return new Conflict(f.message);
    case REFUSAL_FAILURE_TYPES.refused:
      return new Unprocessable(f.message);
    // the case closed while the update was in flight
    case 'AcceptedUpdateCompletedWorkflow':
      return new Conflict(`the case closed before the action completed: ${f.message}`);
    default:
      return new Unprocessable(f.message);
  }
}

// pg and node socket errors that mean "the database is not reachable", not "the query is wrong";
// 08 connection exceptions, 28 invalid authorization, 3D no such database
const PG_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', '57P01', '57P02', '57P03', '53300']);
function isPgDown(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; severity?: unknown };
  if (typeof e?.code === 'string' && (PG_DOWN_CODES.has(e.code) || /^(08|28|3D)/.test(e.code))) return true;
  // FATAL: the server refused the session (no such database, bad credentials, shutting down)
  if (e?.severity === 'FATAL') return true;
  const msg = typeof e?.message === 'string' ? e.message : '';
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Cannot use a pool after calling end/i.test(msg);
}

function isPgBusy(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '57014' || code === '40P01' || code === '40001' || code === '55P03';
}

/** Body-parser errors carry `type` and a 4xx `status`. */
function fromBodyParser(err: { type?: unknown; status?: unknown; message?: unknown; limit?: unknown }): ApiError | null {
  switch (err.type) {
    case 'entity.parse.failed':
      return new ValidationError([{ path: 'body', message: 'malformed JSON' }], 'the body is not valid JSON');
    case 'entity.too.large':
      return new PayloadTooLarge(`the body is larger than the limit of ${String(err.limit)} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaType(String(err.message));
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ValidationError([{ path: 'body', message: String(err.message) }], String(err.message));
  }
  return null;
}

/** Maps anything thrown to an ApiError; `null` means a genuine server fault (500). */
export function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  // (a ZodError that reaches here did not come from request input — parseInput maps those — so it stays a 500)
  if (typeof err !== 'object' || err === null) return null;
  const parsed = fromBodyParser(err);
  if (parsed) return parsed;

  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return fromApplicationFailure(err.cause);
  if (err instanceof WorkflowUpdateFailedError) return new Conflict(`the action failed: ${err.cause?.message ?? err.message}`);
  if (err instanceof ApplicationFailure) return fromApplicationFailure(err);
  if (err instanceof WorkflowNotFoundError) {
    // Temporal answers NOT_FOUND both for an unknown workflow and for a signal/update to a closed run
    return /already completed/i.test(err.message)
      ? new Conflict('the case is closed: its workflow has completed')
      : new NotFound(`no running workflow for this case (${err.workflowId})`);
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new ServiceUnavailable('the case did not answer in time (is a worker running?); retry later');
  }
  if (err instanceof NamespaceNotFoundError) return new ServiceUnavailable(`Temporal namespace not found: ${err.namespace}`);
  if (err instanceof ServiceError) {
    const code = grpcCode(err.cause);
    if (code === GRPC_NOT_FOUND) return new NotFound(err.cause?.message ?? err.message);
    if (code === GRPC_RESOURCE_EXHAUSTED) return new TooManyRequests(`Temporal is busy: ${err.cause?.message ?? err.message}; retry shortly`, 1);
    if (code === undefined || GRPC_UNAVAILABLE.has(code)) return new ServiceUnavailable(`Temporal is unavailable: ${err.cause?.message ?? err.message}`);
  }
  // raw gRPC errors (direct workflowService calls)
  const code = grpcCode(err);
  if ((err as { metadata?: unknown })?.metadata !== undefined && code === GRPC_RESOURCE_EXHAUSTED) {
    return new TooManyRequests(`Temporal is busy: ${(err as Error).message}; retry shortly`, 1);
  }
  if ((err as { metadata?: unknown })?.metadata !== undefined && code !== undefined && GRPC_UNAVAILABLE.has(code)) {
    return new ServiceUnavailable(`Temporal is unavailable: ${(err as Error).message}`);
  }
  if (isPgDown(err)) return new ServiceUnavailable('the database is unavailable');
  // a statement cancelled after waiting too long (locks held by other intake), a deadlock retried in vain: busy, not broken
  if (isPgBusy(err)) return new ServiceUnavailable('the database is busy; retry later');
  const pgCode = (err as { code?: unknown })?.code;
  // data exceptions (a value Postgres cannot cast) come from input that slipped past validation
  if (typeof pgCode === 'string' && /^22[0-9A-Z]{3}$/.test(pgCode)) {
    return new ValidationError([{ path: 'query', message: 'a value has the wrong format' }], 'a value has the wrong format');
  }
  return null;
}

export function sendProblem(res: Response, problem: Problem, headers: Record<string, string> = {}): void {
  res.status(problem.status).set(headers).type('application/problem+json').send(JSON.stringify(problem));
}

/** The one error middleware: every error becomes problem+json; only real faults are 500 and logged as errors. */
export function errorMiddleware(fallbackLogger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const log = (req as { log?: Logger }).log ?? fallbackLogger;
    const correlationId = res.getHeader('X-Correlation-Id') as string | undefined;
    const mapped = toApiError(err);
    if (!mapped) {
      log.error({ err }, 'unhandled error');
      sendProblem(res, {
        type: problemType('internal'),
        title: 'Internal error',
        status: 500,
        detail: 'an unexpected error occurred; quote the correlation id when reporting it',
        instance: req.originalUrl.split('?')[0],
        correlationId,
      });
      return;
    }
    if (mapped.status >= 500) log.warn({ err }, mapped.message);
    const problem: Problem = {
      type: mapped.type,
      title: mapped.title,
      status: mapped.status,
      detail: mapped.message,
      instance: req.originalUrl.split('?')[0],
      correlationId,
    };
    if (mapped instanceof ValidationError) problem.errors = mapped.errors;
    sendProblem(res, problem, mapped.headers);
  };
}
