import { execFile } from 'node:child_process';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { connect, type ChannelModel, type ConfirmChannel, type GetMessage, type Options } from 'amqplib';
import type { Config } from '../../src/config';
import type { DiscrepancyReportInput, InventoryEventInput } from '../../src/domain';
import { IntakeConsumer } from '../../src/ingest/consumer';
import { publishConfirmed } from '../../src/ingest/dead-letters';
import { createLogger } from '../../src/logger';
import { uniq, type Engine } from '../support/engine';
import { intakeWiring } from '../../src/wiring/fake-wms';

const run = promisify(execFile);

/** Config for one test file's consumer: its own queues (deleted afterwards) and quick backoff. */
export function ingestConfig(base: Config, overrides: Partial<Config> = {}): Config {
  const queue = uniq('reckon.test.events');
  return {
    ...base,
    RABBITMQ_QUEUE: queue,
    RABBITMQ_DLQ: `${queue}.dlq`,
    RABBITMQ_RECONNECT_MAX_MS: 1000,
    RABBITMQ_RETRY_MAX_MS: 500,
    SHUTDOWN_GRACE_MS: 5000,
    ...overrides,
  };
}

export function startConsumer(engine: Engine, config: Config, db = engine.db): IntakeConsumer {
  const logger = createLogger({ LOG_LEVEL: process.env.INGEST_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent' }, 'test-consumer');
  return new IntakeConsumer({ config, db, temporal: engine.client, logger, ...intakeWiring(config, db, logger) });
}

/** A test file's queue intake: its own queues, the consumer on them, and the test's side of the broker. */
export interface QueueIntake {
  config: Config;
  broker: TestBroker;
  consumer: IntakeConsumer;
  /** stops the consumer, deletes the file's queues and closes the test's connection */
  stop(): Promise<void>;
}

export async function startQueueIntake(engine: Engine, overrides: Partial<Config> = {}): Promise<QueueIntake> {
  const config = ingestConfig(engine.config, overrides);
  const broker = new TestBroker(config.RABBITMQ_URL);
  const consumer = startConsumer(engine, config);
  await consumer.start();
  return {
    config,
    broker,
    consumer,
    async stop() {
      await consumer.stop();
      await broker.deleteQueues(config.RABBITMQ_QUEUE, config.RABBITMQ_DLQ).catch(() => undefined);
      await broker.close();
    },
  };
}

/**
 * The test's side of the broker: publishes with confirms and reads queues, reconnecting when
 * the broker is away (another test file may be restarting it).
 */
export class TestBroker {
  private conn?: ChannelModel;
  private ch?: ConfirmChannel;

  constructor(private readonly url: string) {}

  private async channel(): Promise<ConfirmChannel> {
    if (this.ch) return this.ch;
    const conn = await connect(this.url);
    conn.on('error', () => undefined);
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => undefined);
    const forget = () => {
      if (this.conn === conn) this.conn = this.ch = undefined;
    };
    conn.once('close', forget);
    ch.once('close', forget);
    this.conn = conn;
    this.ch = ch;
    return ch;
  }

  /** Retries `fn` on a fresh connection until it succeeds (at most `timeoutMs`). */
  async retrying<T>(fn: (ch: ConfirmChannel) => Promise<T>, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await fn(await this.channel());
      } catch (err) {
        await this.conn?.close().catch(() => undefined);
        this.conn = this.ch = undefined;
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  publish(queue: string, body: unknown, props: Options.Publish = {}): Promise<void> {
    const content = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return this.retrying((ch) => publishConfirmed(ch, queue, content, { persistent: true, contentType: 'application/json', ...props }));
  }

  /** Takes every message now in `queue`. */
  drain(queue: string): Promise<GetMessage[]> {
    return this.retrying(async (ch) => {
      const out: GetMessage[] = [];
      for (;;) {
        const m = await ch.get(queue, { noAck: true });
        if (!m) return out;
        out.push(m);
      }
    });
  }

  async messageCount(queue: string): Promise<number> {
    return this.retrying(async (ch) => (await ch.checkQueue(queue)).messageCount);
  }

  async deleteQueues(...queues: string[]): Promise<void> {
    await this.retrying(async (ch) => {
      for (const q of queues) await ch.deleteQueue(q);
    });
  }

  async close(): Promise<void> {
    await this.conn?.close().catch(() => undefined);
  }
}

/** The broker application (rabbitmqctl stop_app / start_app): a restart of RabbitMQ for every client. */
export async function rabbitmqctl(...args: string[]): Promise<void> {
  await run('rabbitmqctl', args, { timeout: 120_000 });
}

/**
 * A TCP proxy in front of a real server, to take that server away from one client and give it
 * back: `down()` refuses new connections and cuts open ones, `up()` listens again.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly targetPort: number,
    readonly port: number,
  ) {}

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export function inventoryEvent(site: string, sku: string, eventId: string, extra: Record<string, unknown> = {}): InventoryEventInput & Record<string, unknown> {
  return {
    eventId,
    source: 'wms',
    type: 'receipt',
    occurredAt: '2026-11-22T08:15:00Z',
    site,
    location: 'A-01-03',
    sku,
    qty: 24,
    uom: 'EA',
    ...extra,
  };
}

/** A receiving variance worth 50: review severity, so the case waits for a person and stays open. */
export function receivingReport(site: string, sku: string, asn: string, sourceEventIds: string[]): DiscrepancyReportInput {
  return {
    kind: 'receiving_variance',
    site,
    sku,
    location: 'DOCK-9',
    reference: { kind: 'asn', id: asn },
    expectedQty: 30,
    observedQty: 25,
    unitCost: 10,
    skuClass: 'C',
    source: 'erp',
    sourceEventIds,
  };
}

export async function eventRows(engine: Engine, site: string): Promise<{ source: string; event_id: string }[]> {
  const { rows } = await engine.db.query('SELECT source, event_id FROM inventory_events WHERE site = $1 ORDER BY event_id', [site]);
  return rows;
}

export async function caseRows(engine: Engine, site: string, kind?: string): Promise<{ id: string; sku: string; occurrences: number; status: string; source_event_ids: string[] }[]> {
  const { rows } = await engine.db.query(
    'SELECT id, sku, occurrences, status, source_event_ids FROM discrepancies WHERE site = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY sku',
    [site, kind ?? null],
  );
  return rows;
}
