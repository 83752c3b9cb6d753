import { NativeConnection, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createRedisClient } from '../src/api/redis';
import { createLogger } from '../src/logger';
import { createPool } from '../src/store/db';
import { createReckonWorker, workerTuning } from '../src/workers/build';
import { bareActivities } from './bare-activities';
import { watchClosures } from './closures';
import { perUnit, pooled, startCpuProbe, type CpuUse } from './cpu';
import { expectStatus, httpClient, runBounded } from './http';
import { startReckonApi, type BenchKeys } from './servers';
import { activityShape, historyStats, type ActivityShape, type HistoryStats } from './shape';
import type { Stack } from './stack';
import { round, summarize, type Latency } from './stats';
import type { bareWorkflow, minimalWorkflow } from './workflows';

export interface ThroughputOptions {
  cases: number;
  warmup: number;
  concurrency: number;
  /** bare and Reckon take turns this many times, so both see the same mix of other load */
  rounds: number;
  workerPoolSize: number;
  apiPoolSize: number;
}

export interface SideResult {
  perSec: number;
  latencyMs: Latency;
  /** CPU milliseconds per case (or bare workflow) by process group; the whole machine's share */
  cpuMsPerCase: Record<string, number>;
  cpu: CpuUse[];
  /** the rate of each round */
  roundsPerSec: number[];
}

export interface ThroughputResult {
  shape: ActivityShape;
  /** one case's and one bare workflow's history, side by side */
  history: { bare: HistoryStats; minimal: HistoryStats; reckon: HistoryStats };
  bare: SideResult;
  /** start → one no-op activity → complete: what Temporal does at the least */
  minimal: SideResult;
  reckon: SideResult;
}

const CASE_TIMEOUT_MS = 180_000;
const SITE = 'BENCH';

/**
 * A count variance inside class B tolerance on a balanced bin: auto-resolved with one adjustment.
 * Each case has a bin of its own: open cases at the same bin hold an automatic adjustment back.
 */
function autoResolvingReport(i: number) {
  return {
    kind: 'count_variance', site: SITE, sku: `TSKU-${i}`, location: `A-${i}`, expectedQty: 120, observedQty: 118,
    unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds: [`CNT-${i}`], causedBy: ['counter1'],
  };
}

interface Round {
  count: number;
  elapsedMs: number;
  latencies: number[];
  cpu: CpuUse;
}

const rate = (r: Round) => (r.count * 1000) / r.elapsedMs;

const SIDES = ['bare', 'minimal', 'reckon'] as const;

/** Round r runs the sides in this order: each side first, second and last in turn. */
export function roundOrder(r: number): (typeof SIDES)[number][] {
  return SIDES.map((_, i) => SIDES[(i + r) % SIDES.length]);
}

/** The bench's processes by group: the one Node process (client, API, workers), the servers. */
function groups(stack: Stack): Record<string, number[]> {
  return { node: [process.pid], temporal: [stack.pids.temporal], ...(stack.pids.redis ? { redis: [stack.pids.redis] } : {}) };
}

function sideOf(rounds: Round[]): SideResult {
  const { count, elapsedMs, cpu } = pooled(rounds);
  return {
    perSec: round((count * 1000) / elapsedMs, 2),
    latencyMs: summarize(rounds.flatMap((r) => r.latencies)),
    cpuMsPerCase: perUnit(cpu, count),
    cpu: rounds.map((r) => r.cpu),
    roundsPerSec: rounds.map((r) => round(rate(r), 2)),
  };
}

/** A case that did not close in time: what its row and its workflow say, in the error. */
async function whereIs(stack: Stack, workflowId: string, id: string, err: Error): Promise<never> {
  const { rows } = await stack.db.query(`SELECT status, resolution FROM discrepancies WHERE id = $1`, [id]).catch(() => ({ rows: [] }));
  const d = await stack.temporal.workflow.getHandle(workflowId, id).describe().catch((e: Error) => ({ status: { name: `not described: ${e.message}` }, historyLength: -1 }));
  throw new Error(`${err.message}; read model: ${JSON.stringify(rows[0] ?? 'no row')}; workflow ${d.status.name}, ${d.historyLength} events; ${stack.slowWorkflowTasks()} slow workflow tasks so far`);
}

async function seedBalances(db: Pool, count: number): Promise<void> {
  await db.query(
    `INSERT INTO ledger.balances (site, location, sku, wms_qty, erp_qty)
     SELECT $1, 'A-' || g, 'TSKU-' || g, 120, 120 FROM generate_series(0, $2 - 1) g ON CONFLICT DO NOTHING`,
    [SITE, count],
  );
}

/**
 * The bare limit and Reckon's end-to-end throughput on the same Temporal server with the same
 * worker settings, taking turns in rounds. Both are closed loops with `concurrency` in flight.
 */
export async function runThroughput(stack: Stack, keys: BenchKeys, o: ThroughputOptions, log: (m: string) => void): Promise<ThroughputResult> {
  const { config } = stack;
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workerDb = createPool(config.DATABASE_URL, o.workerPoolSize);
  const logger = createLogger(config, 'bench-worker');
  const feed = createRedisClient(config.REDIS_URL, logger);
  await feed.connect();
  const reckonWorker = await createReckonWorker({ config, db: workerDb, logger, connection, feed });
  const reckonRunning = reckonWorker.run();
  const api = await startReckonApi(stack, { taskQueue: config.TEMPORAL_TASK_QUEUE, poolSize: o.apiPoolSize });
  const http = httpClient(api.url, o.concurrency);
  const closures = await watchClosures(config.REDIS_URL);
  await seedBalances(stack.db, o.warmup + o.cases);

  let firstCase: { id: string; workflowId: string } | undefined;
  /** Reports cases `from`..`from+count-1` through the API, each slot waiting for its case to close. */
  const reckonLoop = async (from: number, count: number): Promise<Round> => {
    const latencies: number[] = [];
    const ids: string[] = [];
    const probe = startCpuProbe(groups(stack), { db: stack.db, database: stack.database });
    const started = Date.now();
    await runBounded(count, o.concurrency, async (i) => {
      const t0 = Date.now();
      const res = await http.post('/v1/discrepancies', autoResolvingReport(from + i), keys.integration);
      expectStatus(res, 202, 'POST /v1/discrepancies');
      const { id, workflowId } = res.body as { id: string; workflowId: string };
      ids.push(id);
      if (i === 0) firstCase ??= { id, workflowId };
      latencies.push((await closures.closed(id, CASE_TIMEOUT_MS).catch((err: Error) => whereIs(stack, workflowId, id, err))) - t0);
    });
    const elapsedMs = Date.now() - started;
    const cpu = await probe.stop();
    const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM discrepancies WHERE id = ANY($1) AND resolution = 'auto_resolved'`, [ids]);
    if (rows[0].n !== count) throw new Error(`only ${rows[0].n} of ${count} bench cases auto-resolved: the bench report no longer auto-resolves under the default policy`);
    return { count, elapsedMs, latencies, cpu };
  };
  let bare: Worker | undefined;
  let bareRunning: Promise<void> | undefined;
  try {
    log(`reckon: warm-up, ${o.warmup} cases`);
    await reckonLoop(0, o.warmup);
    const shape = await activityShape(stack.temporal, firstCase!.workflowId, firstCase!.id);
    log(`reckon: the auto-resolve path schedules ${shape.total} activities in ${shape.shape.length} steps [${shape.shape.join(', ')}]`);

    const bareQueue = `bench-bare-${process.pid}`;
    bare = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: bareQueue,
      workflowsPath: require.resolve('./workflows'),
      activities: bareActivities,
      ...workerTuning(config),
    });
    bareRunning = bare.run();
    let bareRun = 0;
    /** `bareWorkflow` of Reckon's shape, or `minimalWorkflow` (one no-op activity), on the bare worker. */
    const bareLoop = async (count: number, minimal = false): Promise<Round> => {
      const tag = bareRun++;
      const latencies: number[] = [];
      const probe = startCpuProbe(groups(stack), { db: stack.db, database: stack.database });
      const started = Date.now();
      await runBounded(count, o.concurrency, async (i) => {
        const t0 = Date.now();
        const workflowId = `${minimal ? 'minimal' : 'bare'}-${process.pid}-${tag}-${i}`;
        if (minimal) await stack.temporal.workflow.execute<typeof minimalWorkflow>('minimalWorkflow', { taskQueue: bareQueue, workflowId });
        else await stack.temporal.workflow.execute<typeof bareWorkflow>('bareWorkflow', { taskQueue: bareQueue, workflowId, args: [shape.shape] });
        latencies.push(Date.now() - t0);
      });
      const elapsedMs = Date.now() - started;
      return { count, elapsedMs, latencies, cpu: await probe.stop() };
    };
    log(`bare: warm-up, ${o.warmup} workflows of Reckon's shape and ${o.warmup} minimal ones`);
    await bareLoop(o.warmup);
    await bareLoop(o.warmup, true);
    const history = {
      bare: await historyStats(stack.temporal, `bare-${process.pid}-0-0`),
      minimal: await historyStats(stack.temporal, `minimal-${process.pid}-1-0`),
      reckon: await historyStats(stack.temporal, firstCase!.workflowId, firstCase!.id),
    };
    log(`history per run, bare / minimal / Reckon: ${history.bare.events} / ${history.minimal.events} / ${history.reckon.events} events, ${history.bare.workflowTasks} / ${history.minimal.workflowTasks} / ${history.reckon.workflowTasks} workflow tasks, ${history.bare.bytes} / ${history.minimal.bytes} / ${history.reckon.bytes} bytes`);

    const bareRounds: Round[] = [];
    const minimalRounds: Round[] = [];
    const reckonRounds: Round[] = [];
    let next = o.warmup;
    for (let r = 0; r < o.rounds; r++) {
      const n = Math.floor(o.cases / o.rounds) + (r < o.cases % o.rounds ? 1 : 0);
      const from = next;
      const sides = {
        bare: async () => void bareRounds.push(await bareLoop(n)),
        minimal: async () => void minimalRounds.push(await bareLoop(n, true)),
        reckon: async () => void reckonRounds.push(await reckonLoop(from, n)),
      };
      // the order turns each round: the server's cost per workflow grows as it fills, and no side
      // should always run on the fullest server of its round
      for (const side of roundOrder(r)) {
        log(`round ${r + 1} of ${o.rounds}: ${side === 'minimal' ? 'minimal bare' : side}, ${n} ${side === 'reckon' ? 'cases' : 'workflows'}, ${o.concurrency} in flight`);
        await sides[side]();
      }
      next += n;
      const [b, m, k] = [bareRounds[r], minimalRounds[r], reckonRounds[r]];
      log(`round ${r + 1}: bare ${round(rate(b), 1)}/s, minimal ${round(rate(m), 1)}/s, reckon ${round(rate(k), 1)}/s; other processes used ${Math.round(k.cpu.others * 100)} % of the machine`);
    }
    return { shape, history, bare: sideOf(bareRounds), minimal: sideOf(minimalRounds), reckon: sideOf(reckonRounds) };
  } finally {
    if (bare) {
      bare.shutdown();
      await bareRunning?.catch(() => undefined);
    }
    http.close();
    closures.stop();
    await api.close();
    reckonWorker.shutdown();
    await reckonRunning.catch(() => undefined);
    feed.disconnect();
    await workerDb.end();
    await connection.close();
  }
}
