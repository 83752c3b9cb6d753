import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createReferenceLedger, type ReferenceLedger } from '../../fake-wms/ledger';
import { createActivities, type Activities } from '../../src/activities';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createPool } from '../../src/store/db';
import { actorProofDataConverter } from '../../src/temporal/actor-proof-codec';
import { temporalConnectionOptions } from '../../src/temporal/connection';
import { reckonWorkerInterceptors, WORKFLOW_INTERCEPTOR_MODULES } from '../../src/temporal/worker-interceptors';
import { startApi, type Api } from './api';
import { uniq, type Engine } from './engine';

/**
 * A Reckon worker on its own task queue whose activities a test shapes (a source that fails, a
 * write whose answer is late), over the fake WMS/ERP's ports, with an API in front. What a test
 * wraps stands outside the case: the workflow code is the bundle every worker runs.
 */
export async function startActivityRig(opts: {
  queue: string;
  /** the WMS/ERP the activities talk to (default: the reference ledger as it is) */
  ports?: (ledger: ReferenceLedger) => Pick<ReferenceLedger, 'wms' | 'erp'>;
  /** wraps or replaces activities before the worker starts */
  shape?: (activities: Activities, db: Pool) => void;
  maxCachedWorkflows?: number;
}) {
  const config: Config = { ...loadConfig(), TEMPORAL_TASK_QUEUE: uniq(opts.queue) };
  const db = createPool(config.DATABASE_URL, 10);
  const bundle: WorkflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  const native = await NativeConnection.connect(temporalConnectionOptions(config));
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const ledger = createReferenceLedger(db);
  const { wms, erp } = opts.ports?.(ledger) ?? ledger;
  const logger = createLogger({ LOG_LEVEL: 'warn' }, 'test-worker');
  const activities = createActivities({ db, wms, erp, notifier: ledger.notifier, logger, evidenceLookbackDays: config.EVIDENCE_LOOKBACK_DAYS });
  opts.shape?.(activities, db);
  const dataConverter = actorProofDataConverter(config);
  const worker = await Worker.create({
    connection: native,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowBundle: bundle,
    activities,
    interceptors: reckonWorkerInterceptors(logger, { prebundled: true }),
    dataConverter,
    ...(opts.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: opts.maxCachedWorkflows }),
  });
  const running = worker.run();
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const api: Api = await startApi({ config, db, client } as unknown as Engine);
  return {
    config,
    db,
    bundle,
    client,
    api,
    /** replays a run's history on this rig's bundle, as a new worker would */
    replay: (history: Parameters<typeof Worker.runReplayHistory>[1]) => Worker.runReplayHistory({ workflowBundle: bundle, dataConverter }, history),
    async stop() {
      await api.stop();
      worker.shutdown();
      await running.catch(() => undefined);
      await native.close();
      await connection.close();
      await db.end();
    },
  };
}
export type ActivityRig = Awaited<ReturnType<typeof startActivityRig>>;
