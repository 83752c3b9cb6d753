import { existsSync, writeFileSync } from 'node:fs';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from '../activities';
import { createReferenceLedger } from '../adapters/reference';
import type { Config } from '../config';
import type { Logger } from '../logger';

export interface ReckonWorkerDeps {
  config: Config;
  db: Pool;
  logger: Logger;
  connection: NativeConnection;
  /** tests bundle once and share it between workers */
  workflowBundle?: WorkerOptions['workflowBundle'];
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

export async function createReckonWorker(deps: ReckonWorkerDeps): Promise<Worker> {
  const { config, db, logger } = deps;
  const ledger = createReferenceLedger(db, { onAdjustmentCommitted: faultHook(config, logger) });
  const activities = createActivities({
    db,
    wms: ledger.wms,
    erp: ledger.erp,
    notifier: ledger.notifier,
    logger,
    evidenceLookbackDays: config.EVIDENCE_LOOKBACK_DAYS,
  });
  return Worker.create({
    connection: deps.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    shutdownGraceTime: config.SHUTDOWN_GRACE_MS,
  });
}
