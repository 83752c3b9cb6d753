import { Client } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createRedisClient } from '../api/redis';
import { loadConfig, type Config } from '../config';
import { IntakeSweeper } from '../ingest/sweeper';
import { startSupplierDriftWatch } from '../accuracy/supplier-drift-watch';
import { createLogger } from '../logger';
import { ensurePlannerSchedules } from '../planner/schedule';
import { ensureReconcileSchedules } from '../reconcile/schedule';
import { getActivePolicy } from '../store/policy-repo';
import { createPool } from '../store/db';
import { migrateAsOwner } from '../store/migrate';
import { temporalConnectionOptions } from '../temporal/connection';
import { ensureAnchorSchedule } from '../audit/schedule';
import { intakeWiring } from '../wiring/fake-wms';
import { createInAppNotifier } from '../store/in-app-notifications';
import { processAllocator } from '../observability/allocator';
import { createAuditWatch } from './audit-watch';
import { createReckonWorker } from './build';

/**
 * The Temporal runtime is process-wide and installed once, before the first connection: with
 * WORKER_METRICS_PORT set, its Prometheus exporter serves the SDK's metrics and Reckon's own
 * counters (src/metrics/worker.ts) at http://HOST:WORKER_METRICS_PORT/metrics. 0 turns it off.
 */
function installRuntime(config: Config): void {
  if (config.WORKER_METRICS_PORT === 0) return;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `${host}:${config.WORKER_METRICS_PORT}` } } } });
}

/** Worker entrypoint: runs discrepancy workflows and their activities until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'reckon-worker');
  installRuntime(config);
  const db = createPool(config.DATABASE_URL, 20);
  // as the schema owner when MIGRATION_DATABASE_URL is given; the worker itself runs as the app role
  await migrateAsOwner(config);
  // the live feed; Redis being down costs live updates, never a transition
  const feed = createRedisClient(config.REDIS_URL, logger);
  feed.connect().catch(() => undefined);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await createReckonWorker({ config, db, logger, connection, feed });
  if (config.CYCLE_COUNT_SITES.length > 0) {
    // idempotent: every worker start brings the nightly planner schedules up to the configuration;
    // a failure costs tonight's plan (npm run planner -- ensure retries it), never the cases
    try {
      const schedules = await ensurePlannerSchedules(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), config);
      logger.info({ schedules, cron: config.CYCLE_COUNT_CRON }, 'cycle-count planner schedules ensured');
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'cycle-count planner schedules not ensured');
    }
  }
  const stopAuditWatch =
    config.AUDIT_VERIFY_INTERVAL_SECONDS > 0
      ? createAuditWatch({ db, logger, notifier: createInAppNotifier(db), meter: Runtime.instance().metricMeter }).start(config.AUDIT_VERIFY_INTERVAL_SECONDS * 1000)
      : () => undefined;
  // the active policy's WMS/ERP reconciliation schedules; a failure costs runs, never cases
  try {
    const settings = (await getActivePolicy(db)).document.reconciliation;
    const schedules = await ensureReconcileSchedules(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), config.TEMPORAL_TASK_QUEUE, settings);
    if (Object.keys(schedules).length > 0) logger.info({ schedules }, 'WMS/ERP reconciliation schedules ensured');
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, 'WMS/ERP reconciliation schedules not ensured');
  }
  // the audit anchor's schedule; a failure costs anchors (npm run audit -- anchor makes one), never cases
  if (config.AUDIT_ANCHOR_INTERVAL_SECONDS > 0) {
    try {
      const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
      const schedule = await ensureAnchorSchedule(client, config.TEMPORAL_TASK_QUEUE, config.AUDIT_ANCHOR_INTERVAL_SECONDS);
      logger.info({ schedule, everySeconds: config.AUDIT_ANCHOR_INTERVAL_SECONDS }, 'audit anchor schedule ensured');
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'audit anchor schedule not ensured');
    }
  }
  // finishes stored events whose cases and watcher signals never went out (any door, any crash)
  const sweeper = new IntakeSweeper(
    { db, temporal: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), config, logger, ...intakeWiring(config, db, logger) },
    { everyMs: config.INTAKE_SWEEP_EVERY_MS, afterMs: config.INTAKE_SWEEP_AFTER_MS },
    logger.child({ component: 'intake-sweeper' }),
  );
  if (config.INTAKE_SWEEP_EVERY_MS > 0) sweeper.start();
  // receipt-vs-ASN drift per supplier (docs/accuracy.md); a failed pass costs a delay, never a case
  const stopSupplierDrift =
    config.SUPPLIER_DRIFT_CHECK_EVERY_MS > 0
      ? startSupplierDriftWatch(
          { db, temporal: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), config, logger: logger.child({ component: 'supplier-drift' }) },
          config.SUPPLIER_DRIFT_CHECK_EVERY_MS,
        )
      : () => undefined;
  logger.info(
    { taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS, metricsPort: config.WORKER_METRICS_PORT || undefined, allocator: processAllocator() },
    'worker started',
  );
  // Worker.run() installs its own SIGINT/SIGTERM handling and drains in-flight tasks
  await worker.run();
  stopAuditWatch();
  stopSupplierDrift();
  await sweeper.stop();
  await connection.close();
  await db.end();
  feed.disconnect();
  logger.info('worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
