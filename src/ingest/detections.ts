import type { Client } from '@temporalio/client';
import { workflowIdForKey, type DiscrepancyReport } from '../domain';
import { casesOf, markDispatched, markReported, undispatchedDetections, type Cause } from '../store/detections-repo';
import { MISMATCH_SETTLE_TYPE, mismatchSeenSignal, type MismatchSeen } from '../workflows/watch-messages';
import { startOrMergeCase, type CaseIntakeDeps } from './start-case';

export type DetectionDeps = CaseIntakeDeps;

/** The workflow that settles a mismatch of one balance (one per dedupe key at a time). */
export function mismatchSettleId(report: Pick<DiscrepancyReport, 'kind' | 'site' | 'sku' | 'location' | 'reference'>): string {
  return `settle-${workflowIdForKey(report)}`;
}

export async function signalMismatchSettle(temporal: Client, taskQueue: string, seen: MismatchSeen): Promise<void> {
  await temporal.workflow.signalWithStart(MISMATCH_SETTLE_TYPE, {
    workflowId: mismatchSettleId(seen.report),
    taskQueue,
    args: [],
    signal: mismatchSeenSignal,
    signalArgs: [seen],
    staticSummary: `settling ${seen.report.kind} ${seen.report.site} ${seen.report.sku}${seen.report.location ? ` @${seen.report.location}` : ''}`,
  });
}

/**
 * Hands the undispatched detections of one cause (stored by store/detections-repo) to Temporal:
 * a case started or merged for each report (sourceEventIds let the case recognise a repeat), a
 * settling watch signalled for each settling finding. Returns the ids of every case this cause
 * opened or joined so far.
 */
export async function dispatchDetections(deps: DetectionDeps, cause: Cause, sites?: readonly string[]): Promise<string[]> {
  const rows = await undispatchedDetections(deps.db, cause);
  for (const row of rows) {
    if (row.mode === 'settle') {
      await signalMismatchSettle(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, {
        eventKey: `${cause.eventSource}:${cause.eventId}`,
        report: row.report,
        receivedAt: row.received_at.toISOString(),
        stockSource: 'events',
      });
      await markDispatched(deps.db, row.id);
      continue;
    }
    const accepted = await startOrMergeCase(deps, row.report);
    await markReported(deps.db, row.id, accepted);
  }
  return casesOf(deps.db, cause, sites);
}
