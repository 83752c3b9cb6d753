/**
 * What one cached case holds on the heap: `npm run bench:heap -- [N] [--snapshots DIR] [--watches]`.
 * A Reckon worker in debug mode (workflows in this thread, so one heap holds them), N review cases
 * brought to wait on people, and the heap after a full GC before and after, per case. RSS says
 * how much memory the process took; this says how much the cached cases keep. With
 * `--snapshots DIR` it writes a heap snapshot at both points, for `npm run bench:heap-diff`. With
 * `--watches` the N are transfer watches waiting on their receipt's deadline (a week away) instead.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities';
import type { InventoryEvent } from '../src/domain';
import { sendWatchSignals, watchSignalsFor } from '../src/ingest/watch-signals';
import { createLogger } from '../src/logger';
import { createPool } from '../src/store/db';
import { WORKFLOW_PRELOAD_MODULES } from '../src/temporal/worker-interceptors';
import { fakeWmsPorts } from '../src/wiring/fake-wms';
import { transferWatchId, watchStateQuery } from '../src/workflows/watch-messages';
import { expectStatus, httpClient, runBounded } from './http';
import { createBenchKeys, startReckonApi } from './servers';
import { startStack } from './stack';

const gc = (globalThis as { gc?: () => void }).gc;

async function heapMb(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 200));
  }
  return process.memoryUsage().heapUsed / 1_048_576;
}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with --expose-gc');
  const args = process.argv.slice(2);
  const at = args.indexOf('--snapshots');
  const snapshots = at >= 0 ? args.splice(at, 2)[1] : undefined;
  if (at >= 0 && !snapshots) throw new Error('--snapshots needs a directory');
  // made now: a directory that is not there would fail only after the fill
  if (snapshots) mkdirSync(snapshots, { recursive: true });
  const w = args.indexOf('--watches');
  const watches = w >= 0;
  if (watches) args.splice(w, 1);
  const n = Number(args[0] ?? 300);
  const log = (m: string) => console.log(`· ${m}`);
  const stack = await startStack(log);
  try {
    const keys = await createBenchKeys(stack);
    const taskQueue = `heap-probe-${process.pid}`;
    const db = createPool(stack.config.DATABASE_URL, 10);
    const logger = createLogger({ ...stack.config, LOG_LEVEL: 'warn' }, 'heap-probe');
    const ports = fakeWmsPorts(db);
    const connection = await NativeConnection.connect({ address: stack.config.TEMPORAL_ADDRESS });
    const worker = await Worker.create({
      connection,
      namespace: stack.config.TEMPORAL_NAMESPACE,
      taskQueue,
      workflowsPath: require.resolve('../src/workflows'),
      bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES },
      activities: createActivities({ db, ...ports, logger, evidenceLookbackDays: stack.config.EVIDENCE_LOOKBACK_DAYS }),
      debugMode: true,
      maxCachedWorkflows: n + 100,
    });
    const running = worker.run();
    const api = await startReckonApi(stack, { taskQueue, poolSize: 5 });
    const http = httpClient(api.url, 8);
    const report = (i: number, tag: string) => ({
      kind: 'receiving_variance', site: 'HEAP', sku: `HSKU-${tag}-${i}`, location: 'DOCK-1', reference: { kind: 'asn', id: `ASN-${tag}-${i}` },
      expectedQty: 200, observedQty: 190, unitCost: 5, skuClass: 'C', source: 'erp', sourceEventIds: [`RCV-${tag}-${i}`],
    });
    const fill = async (count: number, tag: string) => {
      await runBounded(count, 8, async (i) => expectStatus(await http.post('/v1/discrepancies', report(i, tag), keys.integration), 202, 'report'));
      // until every case waits on people (or has closed); a stall names where the cases are
      const started = Date.now();
      for (;;) {
        const { rows } = await stack.db.query<{ status: string; n: number }>(
          `SELECT status, count(*)::int AS n FROM discrepancies WHERE site = 'HEAP' AND sku LIKE $1 GROUP BY status`,
          [`HSKU-${tag}-%`],
        );
        const settled = rows.filter((r) => ['awaiting_approval', 'awaiting_recount', 'needs_attention', 'closed'].includes(r.status)).reduce((a, r) => a + r.n, 0);
        if (settled >= count) return;
        if (Date.now() - started > 180_000) throw new Error(`cases not settled after 180 s: ${JSON.stringify(rows)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    // a shipment the watch's signalWithStart carries, as the events intake sends it (no detectors:
    // only the watch is measured)
    const watchAll = async (count: number, tag: string) => {
      const eta = new Date(Date.now() + 7 * 86_400_000).toISOString();
      await runBounded(count, 8, async (i) => {
        const e = {
          eventId: `SHIP-${tag}-${i}`, type: 'transfer_shipped', site: 'HEAP', sku: `HSKU-${tag}-${i}`, location: 'OUT-1', qty: 5, source: 'wms',
          occurredAt: new Date().toISOString(), reference: { kind: 'transfer', id: `TR-${tag}-${i}` }, attributes: { toSite: 'HEAP-2', toLocation: 'IN-1', eta },
        } as InventoryEvent;
        await sendWatchSignals(stack.temporal, taskQueue, watchSignalsFor(e, { unitCost: 3, skuClass: 'C' }));
      });
      // until every watch rests on its receipt's deadline
      await runBounded(count, 8, async (i) => {
        const handle = stack.temporal.workflow.getHandle(transferWatchId(`TR-${tag}-${i}`));
        for (let tries = 0; !(await handle.query(watchStateQuery)).deadline; tries++) {
          if (tries > 600) throw new Error(`watch TR-${tag}-${i} has no deadline after 60 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
      });
    };
    const fillWith = watches ? watchAll : fill;
    // a first batch warms every code path up (module loads, pools, JIT), then the measured one
    await fillWith(20, 'warm');
    const before = await heapMb();
    if (snapshots) writeHeapSnapshot(join(snapshots, 'before.heapsnapshot'));
    await fillWith(n, 'probe');
    const after = await heapMb();
    if (snapshots) writeHeapSnapshot(join(snapshots, 'after.heapsnapshot'));
    console.log(`heap after GC: ${before.toFixed(1)} MB before, ${after.toFixed(1)} MB with ${n} more ${watches ? 'watches' : 'cases'} waiting: ${(((after - before) * 1024) / n).toFixed(1)} KB per cached ${watches ? 'watch' : 'case'}`);
    if (snapshots) console.log(`heap snapshots in ${snapshots}: npm run bench:heap-diff -- ${join(snapshots, 'before.heapsnapshot')} ${join(snapshots, 'after.heapsnapshot')} ${n}`);
    // everything it opened is closed, or the process would not exit
    http.close();
    await api.close();
    worker.shutdown();
    await running;
    await connection.close();
    await db.end();
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
