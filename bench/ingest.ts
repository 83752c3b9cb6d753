import { perUnit, pooled, startCpuProbe, type CpuUse } from './cpu';
import { expectStatus, httpClient, measureBounded } from './http';
import { startBareExpress, startBareSignalExpress, startReckonApi, type BenchKeys } from './servers';
import type { Stack } from './stack';
import { ratio, round, summarize, type Latency } from './stats';

export interface IngestOptions {
  requests: number;
  concurrency: number;
  apiPoolSize: number;
}

export interface Side {
  perSec: number;
  latencyMs: Latency;
  /** CPU milliseconds per request by process group (the measured requests, not the warm-up) */
  cpuMsPerRequest: Record<string, number>;
  /** other processes' share of the machine's CPU meanwhile, 0..1 */
  others: number;
}

export interface IngestResult {
  discrepancies: Side;
  events?: Side;
  /** why /v1/events was not measured */
  eventsSkipped?: string;
  bare: Side;
  /** express doing the report's signalWithStart of a no-op workflow: the intake's floor */
  bareSignal: Side;
  /** Reckon's POST /v1/discrepancies throughput over the bare endpoint's */
  ratio: number;
  /** Reckon's POST /v1/discrepancies throughput over the bare signalWithStart endpoint's */
  signalRatio: number;
  p99Ratio: number;
  eventsRatio?: number;
}

const WARMUP = 100;

function report(i: number) {
  return {
    kind: 'count_variance', site: 'INGEST', sku: `ISKU-${i}`, location: 'A-01-01', expectedQty: 50, observedQty: 49,
    unitCost: 3, skuClass: 'C', source: 'wms', sourceEventIds: [`ICNT-${i}`],
  };
}

function receipt(i: number) {
  return {
    eventId: `IEV-${process.pid}-${i}`, source: 'bench', type: 'receipt', occurredAt: new Date().toISOString(),
    site: 'INGEST-EV', location: 'DOCK-1', sku: `ESKU-${i % 500}`, qty: 5, uom: 'EA',
  };
}

type Send = (i: number) => Promise<void>;

interface Round {
  count: number;
  elapsedMs: number;
  latenciesMs: number[];
  cpu: CpuUse;
}

async function measureRound(stack: Stack, o: IngestOptions, count: number, send: Send, from: number): Promise<Round> {
  const groups = { node: [process.pid], temporal: [stack.pids.temporal], ...(stack.pids.redis ? { redis: [stack.pids.redis] } : {}) };
  const probe = startCpuProbe(groups, { db: stack.db, database: stack.database });
  const m = await measureBounded(count, o.concurrency, (i) => send(from + i));
  return { count, elapsedMs: m.elapsedMs, latenciesMs: m.latenciesMs, cpu: await probe.stop() };
}

function sideOf(rounds: Round[]): Side {
  const { count, elapsedMs, cpu } = pooled(rounds);
  const others = rounds.reduce((a, r) => a + r.cpu.others * r.elapsedMs, 0) / elapsedMs;
  return {
    perSec: round((count * 1000) / elapsedMs, 1),
    latencyMs: summarize(rounds.flatMap((r) => r.latenciesMs)),
    cpuMsPerRequest: perUnit(cpu, count),
    others: round(others, 3),
  };
}

/** One side alone: a warm-up, then `o.requests` measured. */
async function side(stack: Stack, o: IngestOptions, send: Send): Promise<Side> {
  await measureBounded(WARMUP, o.concurrency, send);
  return sideOf([await measureRound(stack, o, o.requests, send, WARMUP)]);
}

// ten short turns, not four long ones: this machine's speed drifts within a run (the floor's CPU
// per request moved by a third between runs), and more turns spread the drift over both sides
const ROUNDS = 10;

/**
 * Two sides that each leave their workflows running on the same server take turns in the order
 * A B B A A B …, so neither meets a server that the other has filled more (every request adds
 * a running workflow that no worker completes).
 */
async function takingTurns(stack: Stack, o: IngestOptions, a: Send, b: Send): Promise<[Side, Side]> {
  await measureBounded(WARMUP, o.concurrency, a);
  await measureBounded(WARMUP, o.concurrency, b);
  const rounds: [Round[], Round[]] = [[], []];
  const next = [WARMUP, WARMUP];
  for (let r = 0; r < ROUNDS; r++) {
    const n = Math.floor(o.requests / ROUNDS) + (r < o.requests % ROUNDS ? 1 : 0);
    for (const which of r % 2 === 0 ? [0, 1] : [1, 0]) {
      rounds[which].push(await measureRound(stack, o, n, which === 0 ? a : b, next[which]));
      next[which] += n;
    }
  }
  return [sideOf(rounds[0]), sideOf(rounds[1])];
}

/**
 * Intake only: the API accepts reports (signal-with-start, durable in Temporal) on a task queue
 * no worker polls, so case processing does not compete with the intake being measured. The
 * baseline is express parsing the same JSON, driven by the same client.
 */
export async function runIngest(stack: Stack, keys: BenchKeys, o: IngestOptions, log: (m: string) => void): Promise<IngestResult> {
  const api = await startReckonApi(stack, { taskQueue: `bench-ingest-unpolled-${process.pid}`, poolSize: o.apiPoolSize });
  const bareServer = await startBareExpress(stack.config.API_BODY_LIMIT);
  const signalServer = await startBareSignalExpress(stack, stack.config.API_BODY_LIMIT, `bench-ingest-unpolled-${process.pid}`);
  const reckon = httpClient(api.url, o.concurrency);
  const bareClient = httpClient(bareServer.url, o.concurrency);
  const signalClient = httpClient(signalServer.url, o.concurrency);
  try {
    log(`ingest: bare express, ${o.requests} requests, ${o.concurrency} in flight`);
    const bare = await side(stack, o, async (i) => expectStatus(await bareClient.post('/ingest', report(i)), 202, 'bare POST'));
    log(`ingest: bare express + signalWithStart and POST /v1/discrepancies taking turns, ${o.requests} requests each in ${ROUNDS} rounds, ${o.concurrency} in flight`);
    const [bareSignal, discrepancies] = await takingTurns(
      stack,
      o,
      async (i) => expectStatus(await signalClient.post('/ingest', report(i)), 202, 'bare signalWithStart'),
      async (i) => expectStatus(await reckon.post('/v1/discrepancies', report(i), keys.integration), 202, 'POST /v1/discrepancies'),
    );
    const result: IngestResult = {
      discrepancies,
      bare,
      bareSignal,
      ratio: ratio(discrepancies.perSec, bare.perSec),
      signalRatio: ratio(discrepancies.perSec, bareSignal.perSec),
      p99Ratio: ratio(discrepancies.latencyMs.p99, bare.latencyMs.p99),
    };
    const probe = await reckon.post('/v1/events', receipt(-1), keys.integration);
    if (probe.status === 404) {
      result.eventsSkipped = 'POST /v1/events is not served by this build';
    } else if (probe.status >= 300) {
      result.eventsSkipped = `POST /v1/events answered ${probe.status} to a receipt: ${JSON.stringify(probe.body).slice(0, 200)}`;
    } else {
      log(`ingest: POST /v1/events, ${o.requests} requests, ${o.concurrency} in flight`);
      result.events = await side(stack, o, async (i) => {
        const res = await reckon.post('/v1/events', receipt(i), keys.integration);
        if (res.status >= 300) throw new Error(`POST /v1/events: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      });
      result.eventsRatio = ratio(result.events.perSec, bare.perSec);
    }
    return result;
  } finally {
    reckon.close();
    bareClient.close();
    signalClient.close();
    await api.close();
    await bareServer.close();
    await signalServer.close();
  }
}
