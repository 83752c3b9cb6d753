import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The correlation id of the work in progress: set by the API for a request, by the queue consumer
 * for a message, and by the activity interceptor for an activity (from the Temporal header the
 * workflow copied from the message that caused it). Loggers made by createLogger add these
 * fields to every line; adapters read `correlationHeaders()` for their outgoing calls.
 */
export interface CorrelationContext {
  correlationId?: string;
  /** set inside activities */
  workflowId?: string;
  activity?: string;
}

/** The HTTP header, in and out (API requests, http adapter calls). */
export const CORRELATION_HTTP_HEADER = 'X-Correlation-Id';
/** The Temporal header that carries it through workflows to activities. */
export const CORRELATION_TEMPORAL_HEADER = 'reckon-correlation-id';
/** What a caller may offer as a correlation id; anything else is replaced by a fresh one. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

const storage = new AsyncLocalStorage<CorrelationContext>();

/** Runs `fn` (and everything it awaits) with `context` as the current correlation. */
export function withCorrelation<T>(context: CorrelationContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentCorrelation(): CorrelationContext | undefined {
  return storage.getStore();
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** `{ 'X-Correlation-Id': id }` for an outgoing HTTP call, or `{}` outside any correlation. */
export function correlationHeaders(): Record<string, string> {
  const id = currentCorrelationId();
  return id ? { [CORRELATION_HTTP_HEADER]: id } : {};
}

/** Whether a caller-supplied id is usable as is. */
export function isUsableCorrelationId(id: unknown): id is string {
  return typeof id === 'string' && CORRELATION_ID_PATTERN.test(id);
}
