import type Redis from 'ioredis';
import type { Logger } from '../../logger';
import { CASE_FEED_CHANNEL, parseCaseChange, type CaseChange } from '../../store/case-feed';

/** One live-feed client of this replica. */
export interface FeedClient {
  /** whether this client wants the change (site scope and filters) */
  wants(change: CaseChange): boolean;
  send(change: CaseChange): void;
  /** the subscription was lost and is back: changes in between were missed */
  resync(): void;
}

const SUBSCRIBE_MS = 2000;

/**
 * Fans the Redis channel out to this replica's live-feed clients. One subscriber connection per
 * replica, opened with the first client and closed with the last, so a replica nobody watches
 * holds no subscription. ioredis resubscribes after a reconnect; clients are then told to resync.
 */
export class CaseFeedHub {
  private readonly clients = new Set<FeedClient>();
  private subscriber?: Redis;
  private ready?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Adds a client once the subscription is live; rejects (and adds nothing) when Redis cannot be reached. */
  async add(client: FeedClient): Promise<void> {
    this.clients.add(client);
    try {
      await this.subscribe();
    } catch (err) {
      this.remove(client);
      throw err;
    }
  }

  remove(client: FeedClient): void {
    this.clients.delete(client);
    if (this.clients.size > 0 || !this.subscriber) return;
    const sub = this.subscriber;
    this.subscriber = undefined;
    this.ready = undefined;
    sub.disconnect();
  }

  private subscribe(): Promise<void> {
    if (this.ready) return this.ready;
    const sub = this.redis.duplicate({ lazyConnect: true, enableOfflineQueue: true, autoResubscribe: true });
    let lost = false;
    sub.on('message', (_channel: string, text: string) => this.fanOut(text));
    sub.on('error', () => undefined); // reconnects on its own; the API client already logs outages
    sub.on('close', () => {
      lost = true;
    });
    sub.on('ready', () => {
      if (!lost) return;
      lost = false;
      this.logger.info('live feed: subscription restored; clients told to resync');
      for (const c of this.clients) c.resync();
    });
    this.subscriber = sub;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no subscription within ${SUBSCRIBE_MS} ms`)), SUBSCRIBE_MS);
      timer.unref();
    });
    this.ready = Promise.race([sub.connect().then(() => sub.subscribe(CASE_FEED_CHANNEL)), timeout])
      .then(() => {
        lost = false;
      })
      .catch((err: unknown) => {
        if (this.subscriber === sub) {
          this.subscriber = undefined;
          this.ready = undefined;
        }
        sub.disconnect();
        throw err;
      })
      .finally(() => clearTimeout(timer));
    return this.ready;
  }

  private fanOut(text: string): void {
    const change = parseCaseChange(text);
    if (!change) return;
    for (const c of this.clients) if (c.wants(change)) c.send(change);
  }
}
