import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import { CORRELATION_TEMPORAL_HEADER, isUsableCorrelationId } from '../observability/correlation';

/** `headers` with the correlation id added (the headers as they were when there is none). */
export function withCorrelationHeader(headers: Headers, correlationId: string | undefined): Headers {
  if (!correlationId) return headers;
  return { ...headers, [CORRELATION_TEMPORAL_HEADER]: defaultPayloadConverter.toPayload(correlationId) };
}

/** The correlation id a Temporal header carries; undefined when absent or unusable. */
export function readCorrelationHeader(headers: Headers | undefined): string | undefined {
  const payload = headers?.[CORRELATION_TEMPORAL_HEADER];
  if (!payload) return undefined;
  try {
    const id: unknown = defaultPayloadConverter.fromPayload(payload);
    return isUsableCorrelationId(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
