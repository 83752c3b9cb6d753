import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Config } from '../config';
import { dedupeKey, workflowIdForKey, type CaseState, type DiscrepancyReport } from '../domain';
import { lookUpIntake, openOrProjectNewCase } from '../store/case-intake';
import {
  DISCREPANCY_WORKFLOW_TYPE,
  reportSignal,
  type DiscrepancyWorkflowInput,
  type ReportSignalInput,
} from '../workflows/messages';

export interface CaseIntakeDeps {
  temporal: Client;
  db: Pool;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>;
}

export interface StartOrMergeOptions {
  /** when Reckon received the report (default: now) */
  receivedAt?: string;
  /** runs the Temporal call, e.g. under a deadline; the call as is when absent */
  withTemporal?: <T>(call: () => Promise<T>) => Promise<T>;
}

export interface AcceptedReport {
  /** the case id: the first run id of the case's workflow */
  id: string;
  workflowId: string;
  /** the report named only source events this (closed) case already took in: nothing was started */
  retried?: true;
}

/** What the accepting side knows of a case it just started: its row until the worker projects it. */
export function openingState(report: DiscrepancyReport, ids: { caseId: string; workflowId: string }, openedAt: string): CaseState {
  return {
    caseId: ids.caseId,
    workflowId: ids.workflowId,
    dedupeKey: dedupeKey(report),
    report,
    occurrences: 1,
    sourceEventIds: [...new Set(report.sourceEventIds)],
    status: 'opened',
    policyVersion: 0,
    expectedQty: report.expectedQty,
    observedQty: report.observedQty,
    recounts: [],
    involvedUsers: [...new Set(report.causedBy)],
    involvement: Object.fromEntries(report.causedBy.map((u) => [u, 'is named in the report as having caused this discrepancy'])),
    escalationLevel: 0,
    breached: false,
    approvals: [],
    comments: [],
    openedAt,
    seq: 0,
    writeAttempt: 0,
  };
}

/** One line for the Temporal UI, e.g. "count_variance DC1 SKU-1 @A-01-03: expected 24, observed 20". */
export function summaryLine(r: DiscrepancyReport): string {
  const where = r.location ? ` @${r.location}` : '';
  const ref = r.reference ? ` (${r.reference.kind} ${r.reference.id}${r.reference.line ? `/${r.reference.line}` : ''})` : '';
  return `${r.kind} ${r.site} ${r.sku}${where}${ref}: expected ${r.expectedQty}, observed ${r.observedQty}`;
}

/**
 * Starts a case or merges the report into the open case with the same dedupe key. The workflow
 * ID carries the key, so concurrent identical reports meet in one workflow; a closed case's key
 * starts a new run, which is a new case. Once this returns, the report is durable in Temporal
 * and its case has a read-model row. A report whose source events a closed case of the key
 * already took in is a retry: it is answered with that case, and nothing starts.
 */
export async function startOrMergeCase(
  deps: CaseIntakeDeps,
  report: DiscrepancyReport,
  opts: StartOrMergeOptions = {},
): Promise<AcceptedReport> {
  const workflowId = workflowIdForKey(report);
  const known = await lookUpIntake(deps.db, workflowId, report.sourceEventIds);
  if (known.consumedBy) return { id: known.consumedBy, workflowId, retried: true };
  const input: ReportSignalInput = { report, receivedAt: opts.receivedAt ?? new Date().toISOString() };
  const call = () =>
    deps.temporal.workflow.signalWithStart<(i: DiscrepancyWorkflowInput) => Promise<CaseState>, [ReportSignalInput]>(
      DISCREPANCY_WORKFLOW_TYPE,
      {
        workflowId,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [input],
        signal: reportSignal,
        signalArgs: [input],
        // no search attributes at the start: they cost the start a tenth of its throughput, and
        // the case's first upsert, where it comes to rest, sets them (CaseContext.mirror); until
        // then the Temporal UI finds it by its workflow id and shows this summary
        staticSummary: summaryLine(report),
      },
    );
  const handle = await (opts.withTemporal ? opts.withTemporal(call) : call());
  // the report merged into the open case's own run
  if (known.openId === handle.signaledRunId) return { id: known.openId, workflowId };
  // the case id is the first run id: an open case's row has it (its run may have continued as
  // new); with none, the signalled run is the first run of a case that has just started (a run
  // that ended has recorded its close before ending)
  const { id } = await openOrProjectNewCase(deps.db, openingState(report, { caseId: handle.signaledRunId, workflowId }, input.receivedAt));
  return { id, workflowId };
}
