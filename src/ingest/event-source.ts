import type { Logger } from '../logger';
import { permanentFailure, takeIn, type IntakeDeps, type IntakeOutcome } from './intake';
import { withCorrelation } from '../observability/correlation';
import type { DecodedMessage, FieldError } from './queue-message';

/**
 * A broker-side source of intake messages (RabbitMQ today: IntakeConsumer; Kafka, SQS, … as
 * new files). A source owns its connection, delivery and acknowledgement; what a message means
 * and how it is taken in is shared: `decodeMessage` (queue-message.ts), then `takeInMessage`
 * below, the same intake as the HTTP API. Contract: acknowledge (commit the offset) only after
 * `takeInMessage` returned `taken`, or the message was rejected and its dead letter is stored;
 * on `retry` hold the message and try it again later, never skip past it.
 */
export interface EventSource {
  readonly name: string;
  /** resolves once consuming */
  start(): Promise<void>;
  /** stops taking messages, lets intake in flight finish, closes */
  stop(): Promise<void>;
  readonly consuming: boolean;
}

export type HandledMessage =
  | { kind: 'taken'; outcome: IntakeOutcome }
  | { kind: 'rejected'; reason: string; fields: FieldError[] }
  | { kind: 'retry'; error: unknown };

/**
 * One decoded message (decodeMessage: a bad one is rejected with its reason before this), taken
 * in durably under its correlation id, which follows it into the workflows it starts or signals.
 * A failure the same message would meet every time (Postgres refusing the data) is `rejected`;
 * anything else `retry`: hold the message and try again.
 */
export async function takeInMessage(deps: IntakeDeps & { logger?: Logger }, decoded: Extract<DecodedMessage, { ok: true }>): Promise<HandledMessage> {
  try {
    return { kind: 'taken', outcome: await withCorrelation({ correlationId: decoded.correlationId }, () => takeIn(deps, decoded)) };
  } catch (err) {
    const permanent = permanentFailure(err);
    return permanent ? { kind: 'rejected', reason: permanent, fields: [] } : { kind: 'retry', error: err };
  }
}
