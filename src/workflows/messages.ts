import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, CaseState, DiscrepancyReport, PinnedPolicy } from '../domain';

/** Signals, updates and queries of discrepancyWorkflow: defined once, used by the API too. */

export interface ReportSignalInput {
  report: DiscrepancyReport;
  receivedAt: string;
}
/** A (duplicate) report with the same dedupe key: merges into the open case. */
export const reportSignal = defineSignal<[ReportSignalInput]>('report');

export interface CountResultSignalInput {
  taskId: string;
  countedQty: number;
  countedBy: string;
  countedAt: string;
  /** the WMS's quantity when counted: what the count is compared with */
  bookQty?: number;
}
export const countResultSignal = defineSignal<[CountResultSignalInput]>('countResult');

export interface EvidenceSignalInput {
  from: string;
  text: string;
  at: string;
}
export const evidenceSignal = defineSignal<[EvidenceSignalInput]>('evidence');

export interface AdoptHoldSignalInput {
  holdId: string;
  qty: number;
  /** who placed it (a watcher): the case now owns it and releases it when it closes */
  from: string;
}
/** A hold placed for the case by someone else (the return watcher): the case releases it on close. */
export const adoptHoldSignal = defineSignal<[AdoptHoldSignalInput]>('adoptHold');

export interface ApproveUpdateInput {
  actor: Actor;
  adjustQty?: number;
  reasonCode: string;
  comment?: string;
}
export interface RejectUpdateInput {
  actor: Actor;
  reasonCode: string;
  comment: string;
}
export interface RecountUpdateInput {
  actor: Actor;
  comment?: string;
}
export interface AssignUpdateInput {
  actor: Actor;
  assignee: string;
}
export interface CommentUpdateInput {
  actor: Actor;
  text: string;
}
/** needs_attention: run the refused write again (the WMS/ERP has been fixed). */
export interface RetryUpdateInput {
  actor: Actor;
  comment?: string;
}
/** needs_attention: the matter was settled outside Reckon; the case closes, its hold released. */
export interface ResolveManuallyUpdateInput {
  actor: Actor;
  reasonCode: string;
  comment: string;
}
/** An admin moves an open case to another policy version; SLA deadlines are recomputed. */
export interface RepinPolicyUpdateInput {
  actor: Actor;
  version: number;
  reason: string;
}
/** What an accepted update answers: the case's status after it, and a word on what happened. */
export interface UpdateResult {
  status: CaseState['status'];
  outcome: string;
  approvalsGiven: number;
  approvalsRequired: number;
}

export const approveUpdate = defineUpdate<UpdateResult, [ApproveUpdateInput]>('approve');
export const rejectUpdate = defineUpdate<UpdateResult, [RejectUpdateInput]>('reject');
export const recountUpdate = defineUpdate<UpdateResult, [RecountUpdateInput]>('recount');
export const assignUpdate = defineUpdate<UpdateResult, [AssignUpdateInput]>('assign');
export const commentUpdate = defineUpdate<UpdateResult, [CommentUpdateInput]>('comment');
export const retryUpdate = defineUpdate<UpdateResult, [RetryUpdateInput]>('retry');
export const resolveManuallyUpdate = defineUpdate<UpdateResult, [ResolveManuallyUpdateInput]>('resolveManually');
export const repinPolicyUpdate = defineUpdate<UpdateResult, [RepinPolicyUpdateInput]>('repinPolicy');

export interface StateQueryInput {
  /** include the full evidence (large) */
  withEvidence?: boolean;
}
export const stateQuery = defineQuery<CaseState, [StateQueryInput]>('state');

/** What only the running workflow knows: state not yet recorded, and a decision being carried out. */
export interface ProgressView {
  status: CaseState['status'];
  /** the state's sequence number: ahead of the read model's row version while a transition is being recorded */
  seq: number;
  decisionInProgress?: { kind: string; userId: string };
}
export const progressQuery = defineQuery<ProgressView>('progress');

/** The workflow's input: the first report, and the state carried over a continue-as-new. */
export interface DiscrepancyWorkflowInput {
  report: DiscrepancyReport;
  receivedAt: string;
  carried?: CaseState;
  /** the policy pinned when the case opened, carried with the state */
  policy?: PinnedPolicy;
  /** history length at which a waiting case continues as new (default 4000; tests set it low) */
  historyLimit?: number;
  /**
   * What arrived but was not yet recorded when the case continued as new (audit entries, source
   * event ids): reports arriving one record apart must not keep a case from ever continuing
   */
  unrecorded?: { entries: unknown[]; sourceEventIds: string[] };
}
export const DISCREPANCY_WORKFLOW_TYPE = 'discrepancyWorkflow';

/** Validator refusals travel as ApplicationFailures of these types (see domain/authority Refusal). */
export const REFUSAL_FAILURE_TYPES = {
  forbidden: 'RefusalForbidden',
  conflict: 'RefusalConflict',
  refused: 'RefusalRefused',
} as const;
