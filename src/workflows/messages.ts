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

export interface StateQueryInput {
  /** include the full evidence (large) */
  withEvidence?: boolean;
}
export const stateQuery = defineQuery<CaseState, [StateQueryInput]>('state');

/** The workflow's input: the first report, and the state carried over a continue-as-new. */
export interface DiscrepancyWorkflowInput {
  report: DiscrepancyReport;
  receivedAt: string;
  carried?: CaseState;
  /** the policy pinned when the case opened, carried with the state */
  policy?: PinnedPolicy;
  /** history length at which a waiting case continues as new (default 4000; tests set it low) */
  historyLimit?: number;
}
export const DISCREPANCY_WORKFLOW_TYPE = 'discrepancyWorkflow';

/** Validator refusals travel as ApplicationFailures of these types (see domain/authority Refusal). */
export const REFUSAL_FAILURE_TYPES = {
  forbidden: 'RefusalForbidden',
  conflict: 'RefusalConflict',
  refused: 'RefusalRefused',
} as const;
