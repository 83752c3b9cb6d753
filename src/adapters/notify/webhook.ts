import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CaseMessage } from './message';

/** Headers of a signed webhook (docs/integration.md): the receiver checks the signature and the timestamp's age. */
export const WEBHOOK_HEADERS = {
  timestamp: 'x-reckon-timestamp',
  signature: 'x-reckon-signature',
  delivery: 'x-reckon-delivery',
} as const;

/** `v1=` + hex HMAC-SHA256 with the shared secret over `<timestamp>.<raw body>`. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does: recompute, compare in constant time, refuse stale timestamps (replays). */
export function verifyWebhook(secret: string, headers: { timestamp?: string; signature?: string }, body: string, opts: { toleranceSeconds?: number; now?: number } = {}): boolean {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const age = Math.abs((opts.now ?? Date.now()) / 1000 - Number(timestamp));
  if (age > (opts.toleranceSeconds ?? 300)) return false;
  const want = Buffer.from(webhookSignature(secret, timestamp, body));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** The webhook's JSON body: the case in fields a program can use. */
export function webhookBody(m: CaseMessage): Record<string, unknown> {
  return {
    type: 'reckon.case.notification',
    deliveryId: m.sendId,
    caseId: m.caseId,
    role: m.role,
    site: m.site,
    kind: m.kind,
    sku: m.sku,
    location: m.location ?? null,
    severity: m.severity ?? null,
    slaDeadline: m.slaDeadline ?? null,
    valueAtRisk: m.valueAtRisk ?? null,
    subject: m.subject,
    text: m.text,
    link: m.link,
  };
}

export class ChannelError extends Error {
  constructor(
    message: string,
    /** the receiver refused this message for good (a 4xx other than 408/429): retrying cannot help */
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/** POSTs JSON; a non-2xx answer or no answer in time is an error naming what happened. */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new ChannelError(`no answer from the endpoint: ${cause ?? (err as Error).message}`);
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return res.status;
  throw new ChannelError(`the endpoint answered ${res.status}`, res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429);
}

/** One signed POST; the timestamp is taken at each try, the body is the same every time. */
export async function sendSignedWebhook(opts: { url: string; secret: string; timeoutMs: number }, sendId: string, body: string): Promise<string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const status = await postJson(opts.url, body, {
    [WEBHOOK_HEADERS.timestamp]: timestamp,
    [WEBHOOK_HEADERS.signature]: webhookSignature(opts.secret, timestamp, body),
    [WEBHOOK_HEADERS.delivery]: sendId,
    'idempotency-key': sendId,
  }, opts.timeoutMs);
  return `webhook answered ${status}`;
}
