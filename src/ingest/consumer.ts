import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { deadLetter, type Rejection } from './dead-letters';
import { takeInMessage, type EventSource } from './event-source';
import type { IntakeDeps } from './intake';
import { infrastructureFailure, publisherRefusal } from './publishers';
import { decodeMessage, type DecodedMessage } from './queue-message';

export type ConsumerConfig = Pick<
  Config,
  | 'RABBITMQ_URL'
  | 'RABBITMQ_QUEUE'
  | 'RABBITMQ_DLQ'
  | 'RABBITMQ_PREFETCH'
  | 'MAX_EVENT_BYTES'
  | 'RABBITMQ_RECONNECT_MAX_MS'
  | 'RABBITMQ_RETRY_MAX_MS'
  | 'RABBITMQ_MAX_ATTEMPTS'
  | 'RABBITMQ_PUBLISHER_SITES'
  | 'SHUTDOWN_GRACE_MS'
  | 'TEMPORAL_TASK_QUEUE'
  | 'ADAPTER'
>;

export interface ConsumerDeps extends Omit<IntakeDeps, 'config'> {
  config: ConsumerConfig;
  logger: Logger;
}

export interface ConsumerStats {
  /** messages acked after durable intake */
  accepted: number;
  /** events already stored (a redelivery) */
  duplicateEvents: number;
  deadLettered: number;
  /** intake attempts that failed for a transient reason and were retried */
  retries: number;
  /** sessions with the broker that reached consuming */
  sessions: number;
}

/** Waits `ms`, or less if `signal` aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
/** 250 ms doubling up to `maxMs`, with ±20 % jitter so many consumers do not retry in step. */
const backoff = (attempt: number, maxMs: number) => Math.min(maxMs, 250 * 2 ** Math.min(attempt, 16) * (0.8 + Math.random() * 0.4));

interface Session {
  conn: ChannelModel;
  ch: ConfirmChannel;
  consumerTag: string;
  open: boolean;
}

/**
 * Consumes the intake queue: each message is decoded, taken in durably, then acked. A message
 * that can never be taken in goes to the DLQ with the reason and is acked; a transient failure
 * holds the message and retries it (the broker redelivers it if the connection drops first).
 * A lost connection is re-established with backoff; queues are declared again each time.
 * Emits 'consuming' on every (re)connect and 'disconnected' when a session ends.
 */
export class IntakeConsumer extends EventEmitter implements EventSource {
  readonly name = 'rabbitmq';
  readonly stats: ConsumerStats = { accepted: 0, duplicateEvents: 0, deadLettered: 0, retries: 0, sessions: 0 };
  private session?: Session;
  private conn?: ChannelModel;
  private readonly stopped = new AbortController();
  private loop?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(private readonly deps: ConsumerDeps) {
    super();
    this.log = deps.logger.child({ queue: deps.config.RABBITMQ_QUEUE });
  }

  /** Starts the connect-consume loop; resolves once consuming for the first time. */
  async start(): Promise<void> {
    const consuming = new Promise<void>((resolve) => this.once('consuming', resolve));
    this.loop ??= this.run();
    await consuming;
  }

  get consuming(): boolean {
    return this.session?.open === true;
  }

  /** Stops taking messages, lets in-flight intake finish (within the grace period), closes. */
  async stop(): Promise<void> {
    if (this.stopping) return this.loop;
    this.stopped.abort();
    const s = this.session;
    if (s?.open) await s.ch.cancel(s.consumerTag).catch(() => undefined);
    const graceOver = new AbortController();
    const grace = sleep(this.deps.config.SHUTDOWN_GRACE_MS, graceOver.signal).then(() => 'timeout' as const);
    const settled = await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    graceOver.abort();
    if (settled === 'timeout') {
      this.log.warn({ inFlight: this.inFlight.size }, 'intake still in flight after the grace period; the broker will redeliver it');
    }
    // the channel first: RabbitMQ may drop acks still on their way when the connection closes
    if (this.session?.open) await this.session.ch.close().catch(() => undefined);
    await this.conn?.close().catch(() => undefined);
    await this.loop;
    this.log.info({ stats: this.stats }, 'consumer stopped');
  }

  private get stopping(): boolean {
    return this.stopped.signal.aborted;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      try {
        if (await this.connectAndConsume()) attempt = 0;
      } catch (err) {
        this.log.warn({ err: describe(err) }, 'cannot consume from the broker');
      }
      if (this.stopping) break;
      const delay = backoff(attempt++, this.deps.config.RABBITMQ_RECONNECT_MAX_MS);
      this.log.info({ delayMs: Math.round(delay), attempt }, 'reconnecting to the broker');
      await sleep(delay, this.stopped.signal);
    }
  }

  /** One session: resolves when its connection closes (true if it got as far as consuming). */
  private async connectAndConsume(): Promise<boolean> {
    const { config } = this.deps;
    const conn = await connect(config.RABBITMQ_URL, { clientProperties: { connection_name: `reckon-consumer ${config.RABBITMQ_QUEUE}` } });
    this.conn = conn;
    const closed = new Promise<void>((resolve) => conn.once('close', () => resolve()));
    conn.on('error', (err: Error) => this.log.warn({ err: describe(err) }, 'broker connection error'));
    let session: Session | undefined;
    try {
      const ch = await conn.createConfirmChannel();
      ch.on('error', (err: Error) => this.log.warn({ err: describe(err) }, 'broker channel error'));
      // a channel the broker closed (e.g. the queue was deleted) ends the session: reconnect
      ch.once('close', () => {
        if (session) session.open = false;
        conn.close().catch(() => undefined);
      });
      await ch.assertQueue(config.RABBITMQ_QUEUE, { durable: true });
      await ch.assertQueue(config.RABBITMQ_DLQ, { durable: true });
      await ch.prefetch(config.RABBITMQ_PREFETCH);
      if (this.stopping) throw new Error('stopping');
      session = { conn, ch, consumerTag: '', open: true };
      const s = session;
      const reply = await ch.consume(config.RABBITMQ_QUEUE, (msg) => {
        if (msg === null) {
          this.log.warn('the broker cancelled the consumer; reconnecting');
          conn.close().catch(() => undefined);
          return;
        }
        this.track(this.handle(s, msg));
      });
      s.consumerTag = reply.consumerTag;
      this.session = s;
      // stop() may have come while consume() was on its way
      if (this.stopping) await ch.cancel(reply.consumerTag);
      this.stats.sessions += 1;
      this.log.info({ prefetch: config.RABBITMQ_PREFETCH, dlq: config.RABBITMQ_DLQ }, 'consuming');
      this.emit('consuming');
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
    await closed;
    session.open = false;
    if (!this.stopping) this.log.warn('broker connection closed');
    this.emit('disconnected');
    return true;
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Never rejects: whatever happens to one message, the consumer goes on. */
  private async handle(s: Session, msg: ConsumeMessage): Promise<void> {
    let decoded: DecodedMessage;
    try {
      decoded = decodeMessage(msg, this.deps.config.MAX_EVENT_BYTES);
    } catch (err) {
      decoded = { ok: false, reason: `message could not be decoded: ${describe(err).message}`, fields: [], correlationId: randomUUID() };
    }
    const log = this.log.child({
      correlationId: decoded.correlationId,
      messageId: msg.properties.messageId,
      redelivered: msg.fields.redelivered,
    });
    try {
      if (!decoded.ok) return await this.reject(s, msg, decoded, log);
      const refused = publisherRefusal(this.deps.config.RABBITMQ_PUBLISHER_SITES, msg.properties.userId, decoded);
      if (refused) return await this.reject(s, msg, { reason: refused, fields: [{ path: 'site', message: 'not a site of this publisher' }], correlationId: decoded.correlationId }, log);
      for (let attempt = 0; ; attempt++) {
        const handled = await takeInMessage(this.deps, decoded);
        if (handled.kind === 'taken') {
          const { outcome } = handled;
          if (outcome.kind === 'event' && outcome.status === 'duplicate') this.stats.duplicateEvents += 1;
          this.stats.accepted += 1;
          log.info({ outcome }, 'message taken in');
          return this.settle(s, msg, 'ack', log);
        }
        if (handled.kind === 'rejected') return await this.reject(s, msg, { reason: handled.reason, fields: handled.fields, correlationId: decoded.correlationId }, log);
        // a failure not of the infrastructure's making repeats: a few attempts, then the DLQ with the reason
        if (!infrastructureFailure(handled.error) && attempt + 1 >= this.deps.config.RABBITMQ_MAX_ATTEMPTS) {
          const reason = `intake failed ${attempt + 1} times: ${describe(handled.error).message}`.slice(0, 500);
          return await this.reject(s, msg, { reason, fields: [], correlationId: decoded.correlationId }, log);
        }
        this.stats.retries += 1;
        const level = attempt < 5 ? 'warn' : 'error';
        log[level]({ err: describe(handled.error), attempt }, 'intake failed (transient); holding the message and retrying');
        await sleep(backoff(attempt, this.deps.config.RABBITMQ_RETRY_MAX_MS), this.stopped.signal);
        if (this.stopping || !s.open) return this.settle(s, msg, 'requeue', log);
      }
    } catch (err) {
      log.error({ err: describe(err) }, 'could not settle the message; the broker will redeliver it');
      this.settle(s, msg, 'requeue', log);
    }
  }

  private async reject(s: Session, msg: ConsumeMessage, why: Rejection, log: Logger): Promise<void> {
    const { RABBITMQ_QUEUE, RABBITMQ_DLQ } = this.deps.config;
    await deadLetter(s.ch, msg, why, RABBITMQ_QUEUE, RABBITMQ_DLQ);
    this.stats.deadLettered += 1;
    log.warn({ reason: why.reason, fields: why.fields }, 'message dead-lettered');
    this.settle(s, msg, 'ack', log);
  }

  /** Acks or requeues; on a session that is gone the broker has already requeued the message. */
  private settle(s: Session, msg: ConsumeMessage, how: 'ack' | 'requeue', log: Logger): void {
    if (!s.open) {
      log.info({ how }, 'connection lost before settling; the broker redelivers the message and intake absorbs the repeat');
      return;
    }
    try {
      if (how === 'ack') s.ch.ack(msg);
      else s.ch.nack(msg, false, true);
    } catch (err) {
      log.info({ err: describe(err), how }, 'could not settle on a closing channel; the broker redelivers the message');
    }
  }
}

function describe(err: unknown): { message: string; code?: unknown; name?: string } {
  const e = err as { message?: unknown; code?: unknown; name?: unknown };
  return { message: String(e?.message ?? err), code: e?.code, name: typeof e?.name === 'string' ? e.name : undefined };
}
