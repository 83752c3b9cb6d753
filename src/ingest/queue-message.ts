import { randomUUID } from 'node:crypto';
import { z, type ZodError } from 'zod';
import { DiscrepancyReport, InventoryEvent } from '../domain';

/**
 * What a message on the intake queue means. The AMQP `type` property says what the body is;
 * without it the body must be an envelope `{ kind, body }`. Pure: no I/O, so every way a message
 * can be wrong is decided here, before anything is written.
 */
export const MESSAGE_TYPES = { event: 'reckon.event', discrepancy: 'reckon.discrepancy' } as const;
export type MessageKind = keyof typeof MESSAGE_TYPES;

export interface FieldError {
  path: string;
  message: string;
}

export type DecodedMessage =
  | { ok: true; kind: 'event'; event: InventoryEvent; correlationId: string }
  | { ok: true; kind: 'discrepancy'; report: DiscrepancyReport; correlationId: string }
  | { ok: false; reason: string; fields: FieldError[]; correlationId: string };

/** The parts of an AMQP message decoding looks at (amqplib's Message satisfies it). */
export interface IncomingMessage {
  content: Buffer;
  properties: { type?: unknown; messageId?: unknown; correlationId?: unknown };
}

const Envelope = z
  .object({ kind: z.enum(['event', 'discrepancy']), body: z.unknown() })
  .strict();

/** A report without source event ids takes its message id as one, so a redelivery is recognised. */
export const MESSAGE_ID_PREFIX = 'amqp-message:';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeMessage(msg: IncomingMessage, maxBytes: number): DecodedMessage {
  const given = nonEmptyString(msg.properties.correlationId);
  const reject = (reason: string, fields: FieldError[] = []): DecodedMessage => ({
    ok: false,
    reason,
    fields,
    correlationId: given ?? randomUUID(),
  });

  if (msg.content.length > maxBytes) return reject(`message body is ${msg.content.length} bytes; the limit is ${maxBytes}`);
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(msg.content));
  } catch (err) {
    return reject(`message body is not UTF-8 JSON: ${(err as Error).message}`.slice(0, 300));
  }

  const type = msg.properties.type;
  let kind: MessageKind;
  let body: unknown;
  let prefix: string[] = [];
  if (type === undefined || type === null || type === '') {
    const env = Envelope.safeParse(json);
    if (!env.success) {
      return reject('no AMQP type property and the body is not an envelope { "kind": "event" | "discrepancy", "body": {...} }', fieldErrors(env.error));
    }
    kind = env.data.kind;
    body = env.data.body;
    prefix = ['body'];
  } else {
    const known = (Object.keys(MESSAGE_TYPES) as MessageKind[]).find((k) => MESSAGE_TYPES[k] === type);
    if (!known) {
      return reject(`unknown message type ${JSON.stringify(String(type)).slice(0, 100)}; expected ${Object.values(MESSAGE_TYPES).join(' or ')}`);
    }
    kind = known;
    body = json;
  }

  if (kind === 'event') {
    const parsed = InventoryEvent.safeParse(body);
    if (!parsed.success) return reject('invalid inventory event', fieldErrors(parsed.error, prefix));
    return { ok: true, kind, event: parsed.data, correlationId: given ?? parsed.data.correlationId ?? randomUUID() };
  }
  const parsed = DiscrepancyReport.safeParse(body);
  if (!parsed.success) return reject('invalid discrepancy report', fieldErrors(parsed.error, prefix));
  const report = parsed.data;
  const messageId = nonEmptyString(msg.properties.messageId);
  if (report.sourceEventIds.length === 0 && messageId) report.sourceEventIds = [`${MESSAGE_ID_PREFIX}${messageId}`.slice(0, 128)];
  return { ok: true, kind, report, correlationId: given ?? randomUUID() };
}

/** Zod issues as {path, message}, one per unknown key; capped so they fit in a message header. */
export function fieldErrors(err: ZodError, prefix: string[] = []): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of err.issues) {
    const at = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...at, key].join('.'), message: 'unknown field' });
    } else {
      out.push({ path: at.join('.') || '(body)', message: issue.message });
    }
  }
  return out.slice(0, 50).map((f) => ({ path: f.path.slice(0, 200), message: f.message.slice(0, 300) }));
}

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
