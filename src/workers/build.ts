import { existsSync, writeFileSync } from 'node:fs';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { createActivities } from '../activities';
import { anchorFilePath } from '../audit/anchor-log';
import { createHttpAdapters } from '../adapters/http';
import { createNotificationChannels } from '../adapters/notify';
import type { ErpPort, MasterDataPort, NotifierPort, WmsPort } from '../adapters/ports';
import { fakeWmsPorts } from '../wiring/fake-wms';
import { createInAppNotifier } from '../store/in-app-notifications';
import { createRedisClient } from '../api/redis';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { actorProofDataConverter } from '../temporal/actor-proof-codec';
import { reckonWorkerInterceptors, WORKFLOW_PRELOAD_MODULES } from '../temporal/worker-interceptors';
import { createWorkerMetrics } from '../metrics/worker';

export interface ReckonWorkerDeps {
  config: Config;
  db: Pool;
  logger: Logger;
  connection: NativeConnection;
  /** tests bundle once and share it between workers */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** the live feed: recorded transitions are published here (owned by the caller); none: no feed */
  feed?: Redis;
}

/**
 * Fault injection for the crash test: exit hard right after the ledger commits an adjustment,
 * before the activity can report completion, once per marker file.
 */
function faultHook(config: Config, logger: Logger): ((id: string) => void) | undefined {
  if (config.RECKON_FAULT !== 'after_adjustment_commit' || !config.RECKON_FAULT_MARKER) return undefined;
  return (adjustmentId) => {
    if (existsSync(config.RECKON_FAULT_MARKER)) return;
    writeFileSync(config.RECKON_FAULT_MARKER, adjustmentId);
    logger.warn({ adjustmentId }, 'fault injection: killing the worker after the adjustment commit');
    process.kill(process.pid, 'SIGKILL');
  };
}

/**
 * ADAPTER=http: the WMS and ERP over the REST contract (docs/adapters.md), master data cached in
 * Redis; notifications stay in the reference ledger's table. Otherwise the reference ledger.
 */
function buildAdapters(config: Config, db: Pool, logger: Logger, redis: Redis | undefined): { wms: WmsPort; erp: ErpPort; notifier: NotifierPort; masterData: MasterDataPort } {
  // in-app notifications are Reckon's own record, whichever systems stand behind the ports
  if (config.ADAPTER !== 'http') return { ...fakeWmsPorts(db, { onAdjustmentCommitted: faultHook(config, logger) }), notifier: createInAppNotifier(db) };
  return createHttpAdapters({
    wmsUrl: config.WMS_HTTP_URL,
    erpUrl: config.ERP_HTTP_URL,
    apiKey: config.ADAPTER_HTTP_API_KEY,
    timeoutMs: config.ADAPTER_HTTP_TIMEOUT_MS,
    circuit: { failures: config.ADAPTER_CIRCUIT_FAILURES, resetMs: config.ADAPTER_CIRCUIT_RESET_MS },
    redis,
    masterDataTtlSeconds: config.MASTER_DATA_TTL_SECONDS,
    logger: logger.child({ component: 'http-adapter' }),
    notifier: createInAppNotifier(db),
  });
}

/** Worker sizing from the config (docs/performance.md); the bench gives its bare worker the same. */
export function workerTuning(config: Config): Partial<WorkerOptions> {
  return {
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    shutdownGraceTime: config.SHUTDOWN_GRACE_MS,
    ...(config.WORKER_MAX_CACHED_WORKFLOWS === undefined ? {} : { maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS }),
  };
}

export async function createReckonWorker(deps: ReckonWorkerDeps): Promise<Worker> {
  const { config, db, logger } = deps;
  // connected now: with no offline queue, a first read before the connection would skip the cache
  const redis = config.ADAPTER === 'http' ? createRedisClient(config.REDIS_URL, logger) : undefined;
  redis?.connect().catch(() => undefined);
  const { wms, erp, notifier, masterData } = buildAdapters(config, db, logger, redis);
  const channels = createNotificationChannels({
    smtpUrl: config.SMTP_URL,
    emailFrom: config.NOTIFY_EMAIL_FROM,
    webhookUrl: config.NOTIFY_WEBHOOK_URL,
    webhookSecret: config.NOTIFY_WEBHOOK_SECRET,
    chatWebhookUrl: config.NOTIFY_CHAT_WEBHOOK_URL,
    timeoutMs: config.NOTIFY_HTTP_TIMEOUT_MS,
  });
  const activities = createActivities({
    db,
    wms,
    erp,
    notifier,
    masterData,
    channels,
    publicUrl: config.PUBLIC_URL,
    logger,
    evidenceLookbackDays: config.EVIDENCE_LOOKBACK_DAYS,
    redis: deps.feed,
    auditAnchorFile: anchorFilePath(config),
    // served by the runtime's Prometheus exporter when the entrypoint installed one
    metrics: createWorkerMetrics(Runtime.instance().metricMeter),
  });
  const worker = await Worker.create({
    connection: deps.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: require.resolve('../workflows'), bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES } }),
    activities,
    interceptors: reckonWorkerInterceptors(logger, { prebundled: Boolean(deps.workflowBundle) }),
    // marks each update's actor verified only when the API's signature holds (docs/security.md)
    dataConverter: actorProofDataConverter(config),
    ...workerTuning(config),
  });
  const runWorker = worker.run.bind(worker);
  worker.run = () => runWorker().finally(() => channels.close());
  if (redis) {
    // the cache connection belongs to this worker: close it when the worker stops, so the process can exit
    const run = worker.run.bind(worker);
    worker.run = () => run().finally(() => redis.disconnect());
  }
  return worker;
}
