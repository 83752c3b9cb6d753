import type { Channel, ConfirmChannel, Message, Options } from 'amqplib';
import type { FieldError } from './queue-message';

/** Headers a dead letter carries (docs/integration.md). */
export const DEAD_LETTER_HEADERS = {
  error: 'x-reckon-error',
  fields: 'x-reckon-error-fields',
  originalQueue: 'x-reckon-original-queue',
  failedAt: 'x-reckon-failed-at',
  correlationId: 'x-reckon-correlation-id',
  replayedAt: 'x-reckon-replayed-at',
} as const;

/** What a replay removes: the verdict of the failed attempt. */
const FAILURE_HEADERS: string[] = [
  DEAD_LETTER_HEADERS.error,
  DEAD_LETTER_HEADERS.fields,
  DEAD_LETTER_HEADERS.originalQueue,
  DEAD_LETTER_HEADERS.failedAt,
];

export interface Rejection {
  reason: string;
  fields: FieldError[];
  correlationId: string;
}

/**
 * The original message's properties, to publish it again. `userId` is dropped (RabbitMQ refuses
 * a user-id that is not the publishing connection's user) and so is `expiration` (a dead letter
 * must not expire from the DLQ).
 */
export function republishProperties(msg: Message, headers: Record<string, unknown>): Options.Publish {
  const p = msg.properties;
  const props: Options.Publish = { persistent: true, headers };
  if (p.contentType !== undefined) props.contentType = p.contentType;
  if (p.contentEncoding !== undefined) props.contentEncoding = p.contentEncoding;
  if (p.priority !== undefined) props.priority = p.priority;
  if (p.correlationId !== undefined) props.correlationId = p.correlationId;
  if (p.replyTo !== undefined) props.replyTo = p.replyTo;
  if (p.messageId !== undefined) props.messageId = p.messageId;
  if (p.timestamp !== undefined) props.timestamp = p.timestamp;
  if (p.type !== undefined) props.type = p.type;
  if (p.appId !== undefined) props.appId = p.appId;
  return props;
}

export function deadLetterHeaders(msg: Message, why: Rejection, queue: string, at = new Date()): Record<string, unknown> {
  return {
    ...(msg.properties.headers ?? {}),
    [DEAD_LETTER_HEADERS.error]: why.reason,
    [DEAD_LETTER_HEADERS.fields]: JSON.stringify(why.fields),
    [DEAD_LETTER_HEADERS.originalQueue]: queue,
    [DEAD_LETTER_HEADERS.failedAt]: at.toISOString(),
    [DEAD_LETTER_HEADERS.correlationId]: why.correlationId,
  };
}

export function replayHeaders(msg: Message, at = new Date()): Record<string, unknown> {
  const headers: Record<string, unknown> = { ...(msg.properties.headers ?? {}) };
  for (const h of FAILURE_HEADERS) delete headers[h];
  headers[DEAD_LETTER_HEADERS.replayedAt] = at.toISOString();
  return headers;
}

/** Publishes and waits for the broker's confirm: after this the copy is the broker's to keep. */
export function publishConfirmed(ch: ConfirmChannel, queue: string, content: Buffer, props: Options.Publish): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      ch.sendToQueue(queue, content, props, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
    } catch (err) {
      reject(err as Error);
    }
  });
}

/**
 * Moves a rejected message to the DLQ with the reason in its headers. Headers travel in one
 * 64 KiB table: when the sender's own headers leave no room, the copy keeps only ours.
 */
export async function deadLetter(ch: ConfirmChannel, msg: Message, why: Rejection, queue: string, dlq: string): Promise<void> {
  const headers = deadLetterHeaders(msg, why, queue);
  try {
    await publishConfirmed(ch, dlq, msg.content, republishProperties(msg, headers));
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const ours = Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith('x-reckon-')));
    await publishConfirmed(ch, dlq, msg.content, republishProperties(msg, { ...ours, 'x-reckon-headers-dropped': true }));
  }
}

export interface DeadLetterView {
  error: string | null;
  fields: FieldError[] | string | null;
  originalQueue: string | null;
  failedAt: string | null;
  correlationId: string | null;
  properties: Record<string, unknown>;
  /** the body as text when it is UTF-8, else base64 */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
}

export function viewDeadLetter(msg: Message): DeadLetterView {
  const h = msg.properties.headers ?? {};
  const str = (k: string) => (typeof h[k] === 'string' ? (h[k] as string) : h[k] instanceof Buffer ? (h[k] as Buffer).toString('utf8') : null);
  const rawFields = str(DEAD_LETTER_HEADERS.fields);
  let fields: DeadLetterView['fields'] = rawFields;
  try {
    if (rawFields) fields = JSON.parse(rawFields) as FieldError[];
  } catch {
    // shown as stored
  }
  const properties = Object.fromEntries(Object.entries(msg.properties).filter(([, v]) => v !== undefined));
  let body: string;
  let bodyEncoding: DeadLetterView['bodyEncoding'] = 'utf8';
  try {
    body = new TextDecoder('utf-8', { fatal: true }).decode(msg.content);
  } catch {
    body = msg.content.toString('base64');
    bodyEncoding = 'base64';
  }
  return {
    error: str(DEAD_LETTER_HEADERS.error),
    fields,
    originalQueue: str(DEAD_LETTER_HEADERS.originalQueue),
    failedAt: str(DEAD_LETTER_HEADERS.failedAt),
    correlationId: str(DEAD_LETTER_HEADERS.correlationId),
    properties,
    body,
    bodyEncoding,
  };
}

/**
 * Reads up to `limit` dead letters without taking them: each is held unacknowledged while the
 * next is fetched (a requeued message would come straight back), then all are returned to the
 * queue at once, in their places.
 */
export async function listDeadLetters(ch: Channel, dlq: string, limit: number): Promise<DeadLetterView[]> {
  const { messageCount } = await ch.checkQueue(dlq);
  const out: DeadLetterView[] = [];
  try {
    while (out.length < Math.min(limit, messageCount)) {
      const msg = await ch.get(dlq, { noAck: false });
      if (!msg) break;
      out.push(viewDeadLetter(msg));
    }
  } finally {
    ch.nackAll(true);
  }
  return out;
}

/**
 * Publishes up to `limit` dead letters to `target` without their failure headers, each acked
 * from the DLQ only once the broker confirmed its copy. Bounded by the DLQ's length at the
 * start, so a message that fails again is not replayed twice in one run.
 */
export async function replayDeadLetters(ch: ConfirmChannel, dlq: string, target: string, limit: number, asUser?: string): Promise<number> {
  const { messageCount } = await ch.checkQueue(dlq);
  let replayed = 0;
  while (replayed < Math.min(limit, messageCount)) {
    const msg = await ch.get(dlq, { noAck: false });
    if (!msg) break;
    try {
      // with publishers checked, a replay travels under the replaying account (one allowed every site)
      await publishConfirmed(ch, target, msg.content, { ...republishProperties(msg, replayHeaders(msg)), ...(asUser ? { userId: asUser } : {}) });
    } catch (err) {
      ch.nack(msg, false, true);
      throw err;
    }
    ch.ack(msg);
    replayed += 1;
  }
  return replayed;
}
