import { NativeConnection, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createRedisClient } from '../src/api/redis';
import { createLogger } from '../src/logger';
import { createPool } from '../src/store/db';
import { createReckonWorker, workerTuning } from '../src/workers/build';
import { bareActivities } from './bare-activities';
import { watchClosures } from './closures';
import { expectStatus, httpClient, runBounded } from './http';
import { startReckonApi, type BenchKeys } from './servers';
import { activityShape, type ActivityShape } from './shape';
import type { Stack } from './stack';
import { round, summarize, type Latency } from './stats';
import type { bareWorkflow } from './workflows';

export interface ThroughputOptions {
  cases: number;
  warmup: number;
  concurrency: number;
  workerPoolSize: number;
  apiPoolSize: number;
}

export interface ThroughputResult {
  shape: ActivityShape;
  bare: { workflowsPerSec: number; latencyMs: Latency };
  reckon: { casesPerSec: number; latencyMs: Latency };
}

const CASE_TIMEOUT_MS = 180_000;
const SITE = 'BENCH';

/** A count variance inside class B tolerance on a balanced bin: auto-resolved with one adjustment. */
function autoResolvingReport(i: number) {
  return {
    kind: 'count_variance', site: SITE, sku: `TSKU-${i}`, location: 'A-01-01', expectedQty: 120, observedQty: 118,
    unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds: [`CNT-${i}`], causedBy: ['counter1'],
  };
}

async function seedBalances(db: Pool, count: number): Promise<void> {
  await db.query(
    `INSERT INTO ledger.balances (site, location, sku, wms_qty, erp_qty)
     SELECT $1, 'A-01-01', 'TSKU-' || g, 120, 120 FROM generate_series(0, $2 - 1) g ON CONFLICT DO NOTHING`,
    [SITE, count],
  );
}

/**
 * The bare limit and Reckon's end-to-end throughput, one after the other on the same Temporal
 * server with the same worker settings. Both are closed loops with `concurrency` in flight.
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
  const reckonLoop = async (from: number, count: number) => {
    const latencies: number[] = [];
    const ids: string[] = [];
    const started = Date.now();
    await runBounded(count, o.concurrency, async (i) => {
      const t0 = Date.now();
      const res = await http.post('/v1/discrepancies', autoResolvingReport(from + i), keys.integration);
      expectStatus(res, 202, 'POST /v1/discrepancies');
      const { id, workflowId } = res.body as { id: string; workflowId: string };
      ids.push(id);
      if (i === 0) firstCase ??= { id, workflowId };
      latencies.push((await closures.closed(id, CASE_TIMEOUT_MS)) - t0);
    });
    const elapsed = Date.now() - started;
    const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM discrepancies WHERE id = ANY($1) AND resolution = 'auto_resolved'`, [ids]);
    if (rows[0].n !== count) throw new Error(`only ${rows[0].n} of ${count} bench cases auto-resolved: the bench report no longer auto-resolves under the default policy`);
    return { perSec: (count * 1000) / elapsed, latencies };
  };
  try {
    log(`reckon: warm-up, ${o.warmup} cases`);
    await reckonLoop(0, o.warmup);
    const shape = await activityShape(stack.temporal, firstCase!.workflowId, firstCase!.id);
    log(`reckon: the auto-resolve path schedules ${shape.total} activities in ${shape.shape.length} steps [${shape.shape.join(', ')}]`);

    const bareQueue = `bench-bare-${process.pid}`;
    const bare = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: bareQueue,
      workflowsPath: require.resolve('./workflows'),
      activities: bareActivities,
      ...workerTuning(config),
    });
    const bareRunning = bare.run();
    const bareLoop = async (tag: string, count: number) => {
      const latencies: number[] = [];
      const started = Date.now();
      await runBounded(count, o.concurrency, async (i) => {
        const t0 = Date.now();
        await stack.temporal.workflow.execute<typeof bareWorkflow>('bareWorkflow', {
          taskQueue: bareQueue,
          workflowId: `bare-${tag}-${process.pid}-${i}`,
          args: [shape.shape],
        });
        latencies.push(Date.now() - t0);
      });
      return { perSec: (count * 1000) / (Date.now() - started), latencies };
    };
    log(`bare: warm-up, ${o.warmup} workflows`);
    await bareLoop('warmup', o.warmup);
    log(`bare: ${o.cases} workflows, ${o.concurrency} in flight`);
    const b = await bareLoop('run', o.cases);
    bare.shutdown();
    await bareRunning;

    log(`reckon: ${o.cases} cases, ${o.concurrency} in flight`);
    const r = await reckonLoop(o.warmup, o.cases);
    return {
      shape,
      bare: { workflowsPerSec: round(b.perSec, 2), latencyMs: summarize(b.latencies) },
      reckon: { casesPerSec: round(r.perSec, 2), latencyMs: summarize(r.latencies) },
    };
  } finally {
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
