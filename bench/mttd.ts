import { NativeConnection } from '@temporalio/worker';
import Redis from 'ioredis';
import { createRedisClient } from '../src/api/redis';
import { createLogger } from '../src/logger';
import { CASE_FEED_CHANNEL, parseCaseChange } from '../src/store/case-feed';
import { createPool } from '../src/store/db';
import { createReckonWorker } from '../src/workers/build';
import { httpClient } from './http';
import { startReckonApi, type BenchKeys } from './servers';
import type { Stack } from './stack';
import { line, percentile, round } from './stats';

export interface MttdResult {
  /** event arrival (the POST sent) → its case's first row committed in the read model, ms */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** cases measured (events that opened one) */
  cases: number;
  /** events sent, and the rate actually achieved */
  events: number;
  eventsPerSec: number;
  seconds: number;
  /** events per POST and POSTs per second */
  batch: number;
  /** case-opening events whose case never showed up within the wait */
  missing: number;
  mix: string;
  /** the case-opening POSTs' own answer time (intake, both phases): the rest of the MTTD is the worker's */
  postAnsweredMs: { p50: number; p95: number };
}

const RATE = 200;
const BATCH = 20;
const SITE = 'MTTD';
/** one POST in this many carries a case-opening count: 1 event in 100, 2 new cases a second (the 2-core machine closes 5–7 a second at best) */
const OPEN_EVERY = 5;
/** skus stocked in bin S-01 that the ordinary movements spread over */
const STOCKED = 2000;
const MIX = 'per 100 events: 1 count 10 short at a fresh bin (opens a count_variance case), the rest picks, receipts and moves over 2000 stocked skus';

/** The tick's events: one case-opening count among ordinary movements of stocked bins. */
function tick(run: string, t: number): { events: Record<string, unknown>[]; opener: string } {
  const now = new Date().toISOString();
  const events: Record<string, unknown>[] = [];
  let opener = '';
  // the other POSTs' first event is an ordinary pick
  for (let j = 0; j < BATCH; j++) {
    const i = t * BATCH + j;
    const base = { eventId: `${run}-${i}`, source: 'bench', occurredAt: now, site: SITE, uom: 'EA', actor: { userId: `picker-${i % 12}` } };
    if (j === 0 && t % OPEN_EVERY === 0) {
      // a bin Reckon has never seen holds 0: a count of 10 there is beyond any tolerance
      opener = base.eventId;
      events.push({ ...base, type: 'count', sku: `MSKU-${i}`, location: `C-${i}`, qty: 10, attributes: { unitCost: 4, skuClass: 'C' } });
    } else if (j < 12) events.push({ ...base, type: 'pick', sku: `MSKU-S${i % STOCKED}`, location: 'S-01', qty: 1 });
    else if (j < 18) events.push({ ...base, type: 'receipt', sku: `MSKU-S${i % STOCKED}`, location: 'S-01', qty: 1 });
    else events.push({ ...base, type: 'move', sku: `MSKU-S${i % STOCKED}`, location: 'S-01', qty: 1, attributes: { toLocation: 'S-02' } });
  }
  return { events, opener };
}

/**
 * Mean time to detect: events at 200/s (a POST of 20 every 100 ms, open loop) for `seconds`,
 * one in twenty a count that opens a case. Each such case's detection time is from the moment
 * its POST was sent to the worker's commit of the case's first read-model row, taken from the
 * live feed (stamped right after the commit; the same clock, this process).
 */
export async function runMttd(stack: Stack, keys: BenchKeys, o: { seconds: number; apiPoolSize: number; workerPoolSize: number }, log: (m: string) => void): Promise<MttdResult> {
  const { config } = stack;
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workerDb = createPool(config.DATABASE_URL, o.workerPoolSize);
  const logger = createLogger(config, 'bench-mttd-worker');
  const feed = createRedisClient(config.REDIS_URL, logger);
  await feed.connect();
  const worker = await createReckonWorker({ config, db: workerDb, logger, connection, feed });
  const running = worker.run();
  const api = await startReckonApi(stack, { taskQueue: config.TEMPORAL_TASK_QUEUE, poolSize: o.apiPoolSize });
  const http = httpClient(api.url, 32);
  const sub = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await sub.connect();
  const firstSeen = new Map<string, number>();
  sub.on('message', (_c: string, text: string) => {
    const change = parseCaseChange(text);
    if (change && !firstSeen.has(change.id)) firstSeen.set(change.id, Date.parse(change.at));
  });
  await sub.subscribe(CASE_FEED_CHANNEL);
  await stack.db.query(
    `INSERT INTO features.stock (site, location, sku, wms_qty, erp_qty) SELECT $1, 'S-01', 'MSKU-S' || g, 1000000, 1000000 FROM generate_series(0, $2 - 1) g ON CONFLICT DO NOTHING`,
    [SITE, STOCKED],
  );
  const run = `M${process.pid}`;
  const openers: { sentAt: number; eventId: string; caseId?: string; answeredAt?: number }[] = [];
  const posts: Promise<void>[] = [];
  let failed = 0;
  try {
    const ticks = Math.round((o.seconds * RATE) / BATCH);
    log(`mttd: ${RATE} events/s for ${o.seconds} s (a POST of ${BATCH} every ${(1000 * BATCH) / RATE} ms), worker and API in this process`);
    const started = Date.now();
    for (let t = 0; t < ticks; t++) {
      const due = started + (t * 1000 * BATCH) / RATE;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const { events, opener } = tick(run, t);
      const entry: (typeof openers)[number] = { sentAt: Date.now(), eventId: opener };
      if (opener) openers.push(entry);
      posts.push(http.post('/v1/events', { events }, keys.integration).then((res) => {
        const results = (res.body as { results?: { eventId?: string; cases?: string[] }[] })?.results ?? [];
        entry.caseId = results.find((r) => r.eventId === opener)?.cases?.[0];
        entry.answeredAt = Date.now();
        if (res.status !== 200) failed++;
      }, () => void failed++));
    }
    await Promise.all(posts);
    const seconds = (Date.now() - started) / 1000;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && openers.some((x) => x.caseId && !firstSeen.has(x.caseId))) await new Promise((r) => setTimeout(r, 200));
    const samples = openers.filter((x) => x.caseId && firstSeen.has(x.caseId)).map((x) => firstSeen.get(x.caseId!)! - x.sentAt).sort((a, b) => a - b);
    if (failed > 0) log(`mttd: ${failed} POSTs failed`);
    const answered = openers.filter((x) => x.answeredAt).map((x) => x.answeredAt! - x.sentAt).sort((a, b) => a - b);
    return {
      p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)), p99: round(percentile(samples, 99)), max: round(samples[samples.length - 1] ?? 0),
      cases: samples.length, events: ticks * BATCH, eventsPerSec: round((ticks * BATCH) / seconds, 1), seconds: round(seconds, 1), batch: BATCH,
      missing: openers.length - samples.length, mix: MIX,
      postAnsweredMs: { p50: round(percentile(answered, 50)), p95: round(percentile(answered, 95)) },
    };
  } finally {
    sub.disconnect();
    http.close();
    await api.close();
    worker.shutdown();
    await running.catch(() => undefined);
    feed.disconnect();
    await workerDb.end();
    await connection.close();
  }
}

/** The bench's `mttd` phase: runs and prints. */
export async function mttdPhase(stack: Stack, keys: BenchKeys, o: { mttdSeconds: number; apiPoolSize: number; workerPoolSize: number }, log: (m: string) => void): Promise<MttdResult> {
  const r = await runMttd(stack, keys, { seconds: o.mttdSeconds, apiPoolSize: o.apiPoolSize, workerPoolSize: o.workerPoolSize }, log);
  console.log(`\nMean time to detect (${r.mix})`);
  console.log(line(`events sent over ${r.seconds} s`, r.eventsPerSec, 'events/s'));
  for (const p of ['p50', 'p95', 'p99', 'max'] as const) console.log(line(`event → case in the read model, ${p}`, r[p], 'ms'));
  console.log(line('cases measured / missing', `${r.cases} / ${r.missing}`));
  console.log(line('their POSTs answered, p50 / p95', `${r.postAnsweredMs.p50} / ${r.postAnsweredMs.p95}`, 'ms'));
  return r;
}
