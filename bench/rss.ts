import { readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { freePort } from '../src/dev/temporal-server';
import { processAllocator } from '../src/observability/allocator';
import { spawnWorker, stopWorker } from '../test/support/worker-process';
import { expectStatus, httpClient, runBounded } from './http';
import { startReckonApi, type BenchKeys } from './servers';
import type { Stack } from './stack';
import { round } from './stats';

export interface RssOptions {
  waiting: number;
  concurrency: number;
  apiPoolSize: number;
  /** the worker's heap limit (`--max-old-space-size`) and sticky cache size, as docker-compose.yml sets them; 0 leaves Node's or the SDK's default */
  workerHeapMb: number;
  workerCache: number;
}

export interface RssResult {
  waitingCases: number;
  idleMb: number;
  waitingMb: number;
  perWaitingCaseKb: number;
  /** cases the worker's sticky cache held at the end (its Prometheus gauge); the rest were evicted */
  cachedCases: number;
  /** (waiting − idle) RSS per case in the sticky cache: what sizing the cache is about */
  perCachedCaseKb: number;
  /** how long reporting the cases and bringing them to wait on people took */
  fillSeconds: number;
  /** the worker's malloc: jemalloc as scripts/worker.sh starts it, libc with WORKER_ALLOCATOR=glibc */
  allocator: ReturnType<typeof processAllocator>;
  /** the worker's heap limit and cache size (0: the defaults) */
  workerHeapMb: number;
  workerCache: number;
}

/** The resident set of another process, as process.memoryUsage().rss would report it there. */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  if (!line) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line.replace(/\D+/g, '')) / 1024;
}

const STALL_MS = 180_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A receiving variance beyond tolerance (receiving tolerates nothing): waits for a person, a
 * counter at the dock first under the default policy (awaiting_recount), or an approver.
 */
function reviewReport(i: number) {
  return {
    kind: 'receiving_variance', site: 'RSS', sku: `RSKU-${i}`, location: 'DOCK-1', reference: { kind: 'asn', id: `ASN-${i}` },
    expectedQty: 200, observedQty: 190, unitCost: 5, skuClass: 'C', source: 'erp', sourceEventIds: [`RCV-${i}`],
  };
}

/** The worker's sticky cache size, from its Prometheus exporter (the SDK's `sticky_cache_size` gauge). */
async function cachedWorkflows(metricsPort: number): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const found = text.match(/^temporal_sticky_cache_size(?:\{[^}]*\})?\s+([\d.e+]+)$/m);
    return found ? Number(found[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function waitForPollers(stack: Stack, taskQueue: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await stack.temporal.workflowService.describeTaskQueue({
      namespace: stack.config.TEMPORAL_NAMESPACE,
      taskQueue: { name: taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    if ((res.pollers?.length ?? 0) > 0) return;
    await sleep(500);
  }
  throw new Error(`the worker process did not poll ${taskQueue} within ${timeoutMs} ms`);
}

/**
 * The real worker entrypoint in its own process (so the RSS is the worker's alone), holding
 * `waiting` cases that wait on approval.
 */
export async function runRss(stack: Stack, keys: BenchKeys, o: RssOptions, log: (m: string) => void): Promise<RssResult> {
  const taskQueue = `bench-rss-${process.pid}`;
  const metricsPort = await freePort();
  const child = spawnWorker({
    DATABASE_URL: stack.config.DATABASE_URL,
    REDIS_URL: stack.config.REDIS_URL,
    TEMPORAL_ADDRESS: stack.config.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: stack.config.TEMPORAL_NAMESPACE,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WORKER_METRICS_PORT: String(metricsPort),
    HOST: '127.0.0.1',
    ADAPTER: 'reference',
    LOG_LEVEL: 'warn',
    ...(o.workerHeapMb > 0 ? { NODE_OPTIONS: `--max-old-space-size=${o.workerHeapMb}` } : {}),
    ...(o.workerCache > 0 ? { WORKER_MAX_CACHED_WORKFLOWS: String(o.workerCache) } : {}),
  });
  const api = await startReckonApi(stack, { taskQueue, poolSize: o.apiPoolSize });
  const http = httpClient(api.url, o.concurrency);
  try {
    await waitForPollers(stack, taskQueue, 120_000);
    await sleep(3000);
    const idleMb = rssMb(child.pid!);
    log(`rss: worker process ${child.pid} idle at ${round(idleMb)} MB; reporting ${o.waiting} cases that go to review`);
    const started = Date.now();
    await runBounded(o.waiting, o.concurrency, async (i) => {
      // the phase measures memory, not intake: a report Temporal was too busy to take (503) is sent again
      let res = await http.post('/v1/discrepancies', reviewReport(i), keys.integration);
      for (let retry = 0; res.status === 503 && retry < 10; retry++) {
        await sleep(2000);
        res = await http.post('/v1/discrepancies', reviewReport(i), keys.integration);
      }
      expectStatus(res, 202, 'POST /v1/discrepancies');
    });
    // a shared machine can be slow: give up only when nothing moved for a while
    let waiting = 0;
    let progressAt = Date.now();
    let lastLog = Date.now();
    while (waiting < o.waiting) {
      if (child.exitCode !== null) throw new Error(`the worker process exited with ${child.exitCode}`);
      if (Date.now() - progressAt > STALL_MS) throw new Error(`only ${waiting} of ${o.waiting} cases were waiting on people; none more in ${STALL_MS / 1000} s`);
      await sleep(1000);
      const { rows } = await stack.db.query(`SELECT count(*)::int AS n FROM discrepancies WHERE site = 'RSS' AND status IN ('awaiting_approval', 'awaiting_recount')`);
      if (rows[0].n > waiting) progressAt = Date.now();
      waiting = rows[0].n;
      if (Date.now() - lastLog > 30_000) {
        log(`rss: ${waiting} of ${o.waiting} waiting on people (${round(rssMb(child.pid!))} MB)`);
        lastLog = Date.now();
      }
    }
    const fillSeconds = (Date.now() - started) / 1000;
    // let in-flight tasks finish and the heap settle; report the highest of a few samples
    await sleep(5000);
    let waitingMb = 0;
    for (let k = 0; k < 5; k++) {
      waitingMb = Math.max(waitingMb, rssMb(child.pid!));
      await sleep(1000);
    }
    const gauge = await cachedWorkflows(metricsPort);
    if (gauge === undefined) log('rss: no sticky cache gauge from the worker; counting every waiting case as cached');
    const cachedCases = Math.min(gauge ?? o.waiting, o.waiting);
    log(`rss: ${cachedCases} of ${o.waiting} waiting cases in the worker's sticky cache`);
    return {
      cachedCases,
      perCachedCaseKb: round(((waitingMb - idleMb) * 1024) / Math.max(cachedCases, 1), 2),
      waitingCases: o.waiting,
      idleMb: round(idleMb),
      waitingMb: round(waitingMb),
      perWaitingCaseKb: round(((waitingMb - idleMb) * 1024) / o.waiting, 2),
      fillSeconds: round(fillSeconds),
      allocator: processAllocator(child.pid!),
      workerHeapMb: o.workerHeapMb,
      workerCache: o.workerCache,
    };
  } finally {
    http.close();
    await api.close();
    await stopWorker(child);
  }
}
