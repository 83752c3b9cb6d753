import type { Assessment, Decision } from './decide';
import type { DiscrepancyReport } from './discrepancy';
import type { Evidence } from './evidence';
import type { Severity } from './policy';
import type { Score } from './scorer';

export const CASE_STATUSES = [
  'opened',
  'gathering_evidence',
  'scoring',
  'deciding',
  'auto_resolving',
  'awaiting_recount',
  'awaiting_approval',
  // a write the WMS/ERP refused (or that kept failing): a person retries it or resolves the case
  'needs_attention',
  'closed',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** Every status but closed: a case in one of these is open, someone's or the engine's to act on. */
export const OPEN_CASE_STATUSES: readonly CaseStatus[] = CASE_STATUSES.filter((s) => s !== 'closed');
/** Statuses a case passes through on its own, in seconds; in any other it is at rest (closed, or waiting on a person or a count). */
export const AUTOMATIC_CASE_STATUSES: readonly CaseStatus[] = ['opened', 'gathering_evidence', 'scoring', 'deciding', 'auto_resolving'];

export const RESOLUTIONS = [
  'auto_resolved',
  'approved_adjusted',
  'rejected_no_change',
  'resolved_by_recount',
  'escalated_terminal',
  // shadow mode: decided and recorded, nothing written to the systems of record
  'shadowed',
  // a person settled it outside Reckon after a write was refused (needs_attention)
  'resolved_manually',
] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** Who acts: resolved from an API key by the API and passed into the workflow's validators. */
export interface Actor {
  userId: string;
  roles: string[];
  /** '*' means every site */
  sites: string[];
  /**
   * Set by the worker's payload codec, never by a sender: true only when the API's signature
   * over the update input holds (src/temporal/actor-proof.ts). Validators refuse anything else.
   */
  verified?: boolean;
}

/** The API's signature over an update input, binding it to one workflow, update and update id. */
export interface ActorProof {
  v: 1;
  workflowId: string;
  update: string;
  updateId: string;
  /** epoch ms when the API signed it */
  issuedAt: number;
  /** base64 Ed25519 signature */
  sig: string;
}

export interface ApprovalRecord {
  userId: string;
  role: string;
  adjustQty: number;
  reasonCode: string;
  comment?: string;
  at: string;
  /**
   * observed − expected when the approval was given: an approval is for the variance then in
   * force, and is voided when new evidence (a recount) changes it
   */
  variance?: number;
}

export interface RecountRecord {
  taskId: string;
  requestedBy: string;
  requestedAt: string;
  countedQty?: number;
  countedBy?: string;
  countedAt?: string;
  /** the WMS's quantity when counted, as the count result reported it */
  booksAtCount?: number;
  /**
   * What the count was compared with: the books when counted, else as read right after the count
   * came in. Picks and receipts since the case opened moved the books and the shelf alike.
   */
  bookQty?: number;
  /** no result came before the policy's recount timeout; a person decides instead */
  timedOut?: boolean;
}

/** A person's accepted decision while it is being carried out. */
export interface PendingDecision {
  kind: 'approve' | 'reject' | 'recount';
  userId: string;
  reasonCode?: string;
  comment?: string;
  adjustQty?: number;
}

export interface CommentRecord {
  userId: string;
  text: string;
  at: string;
}

/** Everything a case knows; carried across continue-as-new and returned by the state query. */
export interface CaseState {
  caseId: string;
  workflowId: string;
  dedupeKey: string;
  report: DiscrepancyReport;
  occurrences: number;
  /**
   * The latest source event ids (at most SOURCE_EVENT_IDS_KEPT): a busy key can send thousands,
   * and the state rides in every record and continue-as-new. The read model keeps them all.
   */
  sourceEventIds: string[];
  /** how many distinct source event ids the case has had (absent before the window existed) */
  sourceEventCount?: number;
  status: CaseStatus;
  policyVersion: number;
  /** the site whose policy override layer the pinned version was merged with (docs/policy.md) */
  policyLayer?: string;
  /** the quantities now in force (recounts replace the observation) */
  expectedQty: number;
  observedQty: number;
  assessment?: Assessment;
  evidence?: Evidence;
  score?: Score;
  decision?: Decision;
  recounts: RecountRecord[];
  /** users barred from approving: the report's actors, counters, recent adjusters */
  involvedUsers: string[];
  /** why each involved user may not decide, in words (the refusal says it) */
  involvement?: Record<string, string>;
  severity?: Severity;
  escalationLevel: number;
  ownerRole?: string;
  assignee?: string;
  slaDeadline?: string;
  breached: boolean;
  approvals: ApprovalRecord[];
  /** the latest comments (at most COMMENTS_KEPT); every comment is in the audit log */
  comments: CommentRecord[];
  /** the SLA deadline in the site's own time, when the site has a business-hours calendar */
  slaDeadlineLocal?: string;
  /** why the case went to its ladder's roles (the policy's route, or its severity's ladder) */
  route?: string;
  /** when the current rung (or the needs_attention wait) began: SLA deadlines count from it */
  rungStartedAt?: string;
  /** why the case needs a person: the write that was refused and what the WMS/ERP said */
  attention?: { step: CaseStatus | 'carry_out'; write: string; error: string; since: string };
  /** where `retry` takes a needs_attention case back to, with the decision it was carrying out */
  attentionResume?: { status: CaseStatus; decision?: PendingDecision };
  hold?: { holdId: string; qty: number; released: boolean };
  adjustment?: { adjustmentId: string; qty: number; target: 'both' | 'erp' };
  resolution?: Resolution;
  resolutionReason?: string;
  /** the approver's or rejecter's reason code, when a person closed the case */
  resolutionCode?: string;
  /** shadow mode (per policy and site): what Reckon would have done is recorded, never written */
  shadow?: boolean;
  openedAt: string;
  firstActionAt?: string;
  closedAt?: string;
  /** monotonic sequence of projection writes and audit rows; makes retries idempotent */
  seq: number;
  /** how many auto-resolution attempts have been made (idempotency key suffix) */
  writeAttempt: number;
}

/** Source event ids a case keeps in its state (the rest are in the read model's case_source_events). */
export const SOURCE_EVENT_IDS_KEPT = 50;
/** Comments and evidence notes a case keeps in its state (all of them are in the audit log). */
export const COMMENTS_KEPT = 20;

/** Keeps the last `n` items of a list in place (bounded state that rides through continue-as-new). */
export function keepLast<T>(list: T[], n: number): void {
  if (list.length > n) list.splice(0, list.length - n);
}
