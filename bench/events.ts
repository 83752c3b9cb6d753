import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Config } from '../src/config';
import { IntakeConsumer } from '../src/ingest/consumer';
import { createLogger } from '../src/logger';
import { createPool } from '../src/store/db';
import { perUnit, startCpuProbe } from './cpu';
import { httpClient, measureBounded } from './http';
import { startReckonApi, type BenchKeys } from './servers';
import type { Stack } from './stack';
import { line, ratio, round, summarize, type Latency } from './stats';

export interface EventsOptions {
  /** events per side (after a warm-up batch per bin) */
  events: number;
  /** events per POST */
  batch: number;
  /** batches in flight */
  concurrency: number;
  apiPoolSize: number;
  /** events published to RabbitMQ for the consumer's rate; 0 leaves it out */
  queued: number;
}

export interface EventsSide {
  eventsPerSec: number;
  batchLatencyMs: Latency;
  cpuMsPerEvent: Record<string, number>;
  others: number;
}

export interface EventsResult {
  /** POST /v1/events, batches of `batch` */
  eventsPerSec: number;
  reckon: EventsSide;
  /** express parsing the same batches and inserting the same rows in one statement */
  bare: EventsSide;
  bareEventsPerSec: number;
  ratio: number;
  /** the RabbitMQ consumer, one event per message, prefetch as configured */
  consumer?: { eventsPerSec: number; prefetch: number; events: number };
  batch: number;
  mix: string;
}

const SITE = 'EVB';
const BINS = 40;
const SKUS = 100;
const bin = (i: number) => `E-${String(i % BINS).padStart(2, '0')}`;
const sku = (i: number) => `EVSKU-${i % SKUS}`;
const MIX = 'per 20 events: 10 picks, 6 receipts, 3 moves, 1 found adjustment; 100 skus in 40 bins, stocked first';

/** The measured mix: picks, receipts, moves and adjustments over stocked bins (no case opens). */
function eventAt(prefix: string, i: number): Record<string, unknown> {
  const base = { eventId: `${prefix}-${i}`, source: 'bench', occurredAt: new Date().toISOString(), site: SITE, sku: sku(i), location: bin(i % 7 + (i % SKUS)), uom: 'EA', actor: { userId: `picker-${i % 12}`, deviceId: `rf-${i % 9}` } };
  const k = i % 20;
  if (k < 10) return { ...base, type: 'pick', qty: 1 };
  if (k < 16) return { ...base, type: 'receipt', qty: 2 };
  if (k < 19) return { ...base, type: 'move', qty: 1, attributes: { toLocation: bin(i % 7 + (i % SKUS) + 1) } };
  return { ...base, type: 'adjustment', qty: 1, reasonCode: 'FOUND' };
}

/** A large receipt for every (bin, sku) the mix touches, so no pick or move goes negative. */
function stocking(prefix: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let s = 0; s < SKUS; s++) for (let b = 0; b < 8; b++) {
    out.push({ eventId: `${prefix}-stock-${s}-${b}`, source: 'bench', type: 'receipt', occurredAt: new Date().toISOString(), site: SITE, sku: sku(s), location: bin(s + b), qty: 100_000, attributes: { unitCost: 2, skuClass: 'C', postedToErp: true } });
  }
  return out;
}

const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_v, i) => xs.slice(i * n, i * n + n));

/** The baseline: express that parses a batch and inserts its rows as they are, in one statement. */
async function startBareEvents(stack: Stack, poolSize: number): Promise<{ url: string; close(): Promise<void> }> {
  const db = createPool(stack.config.DATABASE_URL, poolSize);
  await db.query('CREATE TABLE IF NOT EXISTS bench_bare_events (LIKE inventory_events INCLUDING ALL)');
  const app = express();
  app.post('/events', express.json({ limit: stack.config.API_BODY_LIMIT }), async (req, res) => {
    const events = (req.body as { events: Record<string, string>[] }).events;
    const col = (k: string) => events.map((e) => e[k] ?? null);
    const { rows } = await db.query<{ event_id: string }>(
      `INSERT INTO bench_bare_events (source, event_id, type, occurred_at, site, sku, body)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::jsonb[])
       ON CONFLICT (source, site, event_id) DO NOTHING RETURNING event_id`,
      [col('source'), col('eventId'), col('type'), col('occurredAt'), col('site'), col('sku'), events.map((e) => JSON.stringify(e))],
    );
    res.status(200).json({ accepted: rows.length });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await db.end();
    },
  };
}

async function side(stack: Stack, o: EventsOptions, send: (batch: Record<string, unknown>[]) => Promise<void>, prefix: string): Promise<EventsSide> {
  for (const b of chunks(stocking(prefix), o.batch)) await send(b);
  const batches = chunks(Array.from({ length: o.events }, (_v, i) => eventAt(prefix, i)), o.batch);
  const groups = { node: [process.pid], temporal: [stack.pids.temporal] };
  const probe = startCpuProbe(groups, { db: stack.db, database: stack.database });
  const m = await measureBounded(batches.length, o.concurrency, (i) => send(batches[i]));
  const cpu = await probe.stop();
  return { eventsPerSec: round(o.events / (m.elapsedMs / 1000), 1), batchLatencyMs: summarize(m.latenciesMs), cpuMsPerEvent: perUnit(cpu, o.events), others: cpu.others };
}

/** Events intake: POST /v1/events in batches against a bare endpoint inserting the same rows; the queue consumer's rate. */
export async function runEvents(stack: Stack, keys: BenchKeys, o: EventsOptions, log: (m: string) => void): Promise<EventsResult> {
  const taskQueue = `bench-events-unpolled-${process.pid}`;
  const api = await startReckonApi(stack, { taskQueue, poolSize: o.apiPoolSize });
  const bare = await startBareEvents(stack, o.apiPoolSize);
  const reckonClient = httpClient(api.url, o.concurrency);
  const bareClient = httpClient(bare.url, o.concurrency);
  const run = process.pid;
  try {
    log(`events: bare express inserting the rows, ${o.events} events in batches of ${o.batch}, ${o.concurrency} in flight`);
    const bareSide = await side(stack, o, async (events) => {
      const res = await bareClient.post('/events', { events });
      if (res.status !== 200) throw new Error(`bare /events: ${res.status}`);
    }, `B${run}`);
    log(`events: POST /v1/events, ${o.events} events in batches of ${o.batch}, ${o.concurrency} in flight`);
    const reckon = await side(stack, o, async (events) => {
      const res = await reckonClient.post('/v1/events', { events }, keys.integration);
      const summary = (res.body as { summary?: Record<string, number> })?.summary;
      if (res.status !== 200 || !summary || summary.accepted + summary.duplicate !== events.length) throw new Error(`POST /v1/events: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }, `R${run}`);
    const result: EventsResult = {
      eventsPerSec: reckon.eventsPerSec, reckon, bare: bareSide, bareEventsPerSec: bareSide.eventsPerSec, ratio: ratio(reckon.eventsPerSec, bareSide.eventsPerSec), batch: o.batch, mix: MIX,
    };
    if (o.queued > 0) result.consumer = await consumerRate(stack, o.queued, taskQueue, log);
    return result;
  } finally {
    reckonClient.close();
    bareClient.close();
    await api.close();
    await bare.close();
  }
}

/** Publishes `n` events (one per message) to a private queue, then times the consumer taking them all in. */
async function consumerRate(stack: Stack, n: number, taskQueue: string, log: (m: string) => void): Promise<EventsResult['consumer']> {
  const { connect } = await import('amqplib');
  const queue = `reckon.bench.events.${process.pid}`;
  const config: Config = { ...stack.config, RABBITMQ_QUEUE: queue, RABBITMQ_DLQ: `${queue}.dlq`, TEMPORAL_TASK_QUEUE: taskQueue };
  const conn = await connect(config.RABBITMQ_URL);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  const prefix = `Q${process.pid}`;
  const stock = stocking(prefix);
  const events = [...stock, ...Array.from({ length: n }, (_v, i) => eventAt(prefix, i))];
  for (const e of events) ch.sendToQueue(queue, Buffer.from(JSON.stringify(e)), { type: 'reckon.event', persistent: true, contentType: 'application/json' });
  await ch.waitForConfirms();
  log(`events: RabbitMQ consumer, ${events.length} messages queued, prefetch ${config.RABBITMQ_PREFETCH}`);
  const db = createPool(config.DATABASE_URL, 10);
  const consumer = new IntakeConsumer({ db, temporal: stack.temporal, config, logger: createLogger({ ...config, LOG_LEVEL: 'warn' }, 'bench-consumer') });
  const started = performance.now();
  await consumer.start();
  const processed = async () => (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inventory_events WHERE source = 'bench' AND event_id LIKE $1 AND processed_at IS NOT NULL`, [`${prefix}-%`])).rows[0].n;
  let stockedAt = 0;
  for (;;) {
    const done = await processed();
    if (!stockedAt && done >= stock.length) stockedAt = performance.now();
    if (done >= events.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const elapsed = (performance.now() - (stockedAt || started)) / 1000;
  await consumer.stop();
  await ch.deleteQueue(queue).catch(() => undefined);
  await ch.deleteQueue(`${queue}.dlq`).catch(() => undefined);
  await conn.close();
  await db.end();
  return { eventsPerSec: round(n / elapsed, 1), prefetch: config.RABBITMQ_PREFETCH, events: n };
}

/** The bench's `events` phase: batches of 500, 2 in flight, and 5000 events through the queue consumer. */
export async function eventsPhase(stack: Stack, keys: BenchKeys, o: { events: number; apiPoolSize: number }, log: (m: string) => void): Promise<EventsResult> {
  const r = await runEvents(stack, keys, { events: o.events, batch: 500, concurrency: 2, apiPoolSize: o.apiPoolSize, queued: Math.min(5000, o.events) }, log);
  console.log(`\nEvent intake (${r.mix})`);
  console.log(line(`bare express inserting the rows, batches of ${r.batch}`, r.bareEventsPerSec, 'events/s'));
  console.log(line(`POST /v1/events, batches of ${r.batch}`, r.eventsPerSec, 'events/s', { baseline: 'bare', ratio: r.ratio }));
  const cpu = (s: EventsSide) => Object.entries(s.cpuMsPerEvent).map(([g, ms]) => `${g} ${ms}`).join(', ');
  console.log(`  CPU ms per event, bare: ${cpu(r.bare)}; Reckon: ${cpu(r.reckon)}`);
  if (r.consumer) console.log(line(`RabbitMQ consumer, prefetch ${r.consumer.prefetch}`, r.consumer.eventsPerSec, 'events/s'));
  return r;
}
