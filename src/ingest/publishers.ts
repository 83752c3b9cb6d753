import type { DecodedMessage } from './queue-message';

/** Broker users and the sites each may publish for (`*`: every site). Empty: publishers are not checked. */
export type PublisherSites = Record<string, string[]>;

/**
 * `RABBITMQ_PUBLISHER_SITES`: `user=SITE[,SITE...];user2=*`. One publisher account per site
 * (docs/integration.md): a key leaked from one site's integration cannot feed another's.
 */
export function parsePublisherSites(text: string): PublisherSites {
  const map: PublisherSites = {};
  for (const entry of text.split(';').map((e) => e.trim()).filter((e) => e.length > 0)) {
    const eq = entry.lastIndexOf('=');
    if (eq <= 0) throw new Error(`"${entry}" is not user=SITE[,SITE...]`);
    const sites = entry.slice(eq + 1).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (sites.length === 0) throw new Error(`"${entry}" names no site`);
    map[entry.slice(0, eq).trim()] = sites;
  }
  return map;
}

/**
 * Why the message's publisher may not send it, or null. The AMQP `user-id` property is the
 * identity: RabbitMQ refuses a publish whose user-id is not the connection's own user, so it
 * cannot be forged; a message without one is refused once publishers are configured.
 */
export function publisherRefusal(map: PublisherSites, userId: unknown, msg: Extract<DecodedMessage, { ok: true }>): string | null {
  if (Object.keys(map).length === 0) return null;
  const site = msg.kind === 'event' ? msg.event.site : msg.report.site;
  if (typeof userId !== 'string' || userId.length === 0) {
    return `the message has no AMQP user-id property: publishers must set it (their broker user) to send for a site (${site})`;
  }
  const sites = Object.hasOwn(map, userId) ? map[userId] : undefined;
  if (!sites) return `publisher ${userId} is not a configured publisher (RABBITMQ_PUBLISHER_SITES)`;
  if (!sites.includes('*') && !sites.includes(site)) return `publisher ${userId} has no rights to site ${site} (it may publish for ${sites.join(', ')})`;
  return null;
}

/** Network, timeout and gRPC availability failures: worth retrying without end. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** gRPC status codes of an unreachable or overloaded Temporal: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED */
const TRANSIENT_GRPC = new Set([4, 8, 10, 14]);

/**
 * Whether a failure is the infrastructure's (Postgres or Temporal unreachable, overloaded,
 * shutting down, a serialization conflict): such a message is held and retried as long as it
 * takes. Anything else fails the same way every time and is dead-lettered after a few attempts.
 */
export function infrastructureFailure(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown; name?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const code = e.code;
    if (typeof code === 'string' && (/^(08|53|57)[0-9A-Z]{3}$/.test(code) || code === '40001' || code === '40P01' || TRANSIENT_CODES.has(code))) return true;
    if (typeof code === 'number' && TRANSIENT_GRPC.has(code)) return true;
    if (typeof e.message === 'string' && /timeout|timed out|terminat|connect|ECONN|unavailable|shutting down/i.test(e.message)) return true;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  }
  return false;
}
