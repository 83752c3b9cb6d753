import { patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  AUTOMATIC_CASE_STATUSES,
  canonicalJson,
  dedupeKey,
  describeRung,
  caseLadder,
  SCORER_VERSION,
  shortHash,
  type CaseState,
  type PendingDecision,
} from '../domain/core';
import type { PinnedPolicy, WriteBasis } from '../domain';
import type { OpeningQuery, OpeningReads } from '../activities/opening';
import { localRecords, records } from './activity-proxies';
import type { CountResultSignalInput, DiscrepancyWorkflowInput } from './messages';
import {
  breachedKey,
  changedAttributes,
  escalationLevelKey,
  kindKey,
  ownerRoleKey,
  severityKey,
  siteKey,
  skuKey,
  slaDeadlineKey,
  statusKey,
  valueAtRiskKey,
} from './search-attributes';

type TransitionRecord = Parameters<typeof records.recordTransition>[0];
type AuditEntry = TransitionRecord['entries'][number];
type AuditActorKind = AuditEntry['actorKind'];

export type { PendingDecision } from '../domain/core';

/** A person's answer to a needs_attention case. */
export interface AttentionAction {
  kind: 'retry' | 'resolve_manually';
  userId: string;
  reasonCode?: string;
  comment?: string;
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function initialState(input: DiscrepancyWorkflowInput): CaseState {
  const info = workflowInfo();
  const r = input.report;
  return {
    caseId: info.firstExecutionRunId,
    workflowId: info.workflowId,
    dedupeKey: dedupeKey(r),
    report: r,
    occurrences: 1,
    sourceEventIds: [...new Set(r.sourceEventIds)],
    status: 'opened',
    policyVersion: 0,
    expectedQty: r.expectedQty,
    observedQty: r.observedQty,
    recounts: [],
    involvedUsers: [...new Set(r.causedBy)],
    involvement: Object.fromEntries(r.causedBy.map((u) => [u, 'is named in the report as having caused this discrepancy'])),
    escalationLevel: 0,
    breached: false,
    approvals: [],
    comments: [],
    openedAt: nowIso(),
    seq: 0,
    writeAttempt: 0,
  };
}

/**
 * Patch id: while a case moves on its own, evidence, score and decision are recorded as one
 * transition, and search attributes wait until it comes to rest (a person, a count) or closes.
 * Those steps take seconds and no one acts on them; each record and upsert cost the engine and
 * Temporal real work (docs/performance.md). Histories from before record and upsert each step.
 */
export const QUIET_AUTOMATIC_STEPS_PATCH = 'quiet-automatic-steps';

/**
 * Patch id: a case moving on its own reads, scores and records through local activities (run in
 * the workflow task, no activity task on Temporal's side), its transitions while deciding go with
 * the next record, and the only activity Temporal schedules for an auto-resolved case is the write
 * to the WMS/ERP (docs/perf/workflow.md). Histories from before scheduled each as an activity.
 */
export const LOCAL_AUTOMATIC_STEPS_PATCH = 'local-automatic-steps';

/**
 * Patch id: a new case pins its policy, reads every evidence source and scores in one local
 * activity, records its opening with its next transition (the intake wrote its row), and records
 * this marker alone in place of every patch before it (docs/perf/workflow.md). Decided once, first
 * thing in the run (CaseContext.lean): a run that started without it never takes it up later.
 */
export const LEAN_CASE_PATCH = 'lean-case';

/**
 * Patch id: a lean case that auto-resolves does it in its first workflow task. Its correction is
 * a local activity that first keeps what it was decided on in Reckon's store (the write's basis),
 * so a task run again after a crash closes on that basis, not on stock the write has moved; the
 * case is then one workflow task and no activity task (docs/perf/workflow.md). Implies
 * LEAN_CASE_PATCH; decided first thing in the run (CaseContext.oneTask).
 */
export const AUTO_RESOLVE_IN_ONE_TASK_PATCH = 'auto-resolve-in-one-task';

/**
 * Patch id: in that opening task, the automatic correction and the close's record are one local
 * activity (postAutoAdjustmentAndClose): Reckon's balances and the case's records move in one
 * transaction once the WMS answered, and the case is two local activities, not three. Implies
 * AUTO_RESOLVE_IN_ONE_TASK_PATCH; decided first thing in the run (CaseContext.oneWrite).
 */
export const AUTO_RESOLVE_IN_ONE_WRITE_PATCH = 'auto-resolve-in-one-write';

/**
 * LEAN_WAIT_PATCH, for a case: decided first thing in the run (CaseContext.leanWait), so every
 * rest of the run waits alike; it implies AUTO_RESOLVE_IN_ONE_WRITE_PATCH.
 */
export { LEAN_WAIT_PATCH } from './condition-or-deadline';

/**
 * `patched(id)` for a patch older than LOCAL_AUTOMATIC_STEPS_PATCH: a case past that one is past
 * this one too, and records no marker for it (each marker is also an upsert of Temporal's
 * TemporalChangeVersion search attribute: a visibility write per patch per case). A lean run is
 * past all of them and asks Temporal nothing.
 */
export function patchedBeforeLocal(ctx: Pick<CaseContext, 'lean'>, id: string): boolean {
  return ctx.lean || patched(LOCAL_AUTOMATIC_STEPS_PATCH) || patched(id);
}

/** LOCAL_AUTOMATIC_STEPS_PATCH, taken for granted in a lean run. */
export function localSteps(ctx: Pick<CaseContext, 'lean'>): boolean {
  return ctx.lean || patched(LOCAL_AUTOMATIC_STEPS_PATCH);
}

const AUTOMATIC_STATUSES: ReadonlySet<CaseState['status']> = new Set(AUTOMATIC_CASE_STATUSES);

/**
 * The running case: its state, its pinned policy, and the audit entries not yet written.
 * Every transition goes through `record`, which writes the read model and the audit log in
 * one activity and mirrors the state into search attributes and the UI details.
 */
export class CaseContext {
  pending: AuditEntry[] = [];
  decision?: PendingDecision;
  /** retry or resolve_manually on a needs_attention case, until the main loop takes it */
  attentionAction?: AttentionAction;
  /** the ladder's terminal action is running and the policy refuses decisions meanwhile */
  terminalRunning = false;
  /** this run asks every evidence source in one read (decided at the run's start: EVIDENCE_IN_ONE_READ_PATCH) */
  evidenceInOneRead = false;
  /** this run is past LEAN_CASE_PATCH (decided at the run's start; workflow modules are shared, so not module state) */
  lean = false;
  /** this run writes an automatic correction in the task that decided it (AUTO_RESOLVE_IN_ONE_TASK_PATCH) */
  oneTask = false;
  /** and records the close with that write (AUTO_RESOLVE_IN_ONE_WRITE_PATCH) */
  oneWrite = false;
  /** this run waits on deadlines with fewer promises (LEAN_WAIT_PATCH) */
  leanWait = false;
  /** what an earlier attempt of this task wrote on: the case decides on it, not on new reads */
  kept?: WriteBasis;
  /**
   * A one-task run still in the task that opened it (nothing recorded yet). Its automatic
   * correction runs locally and keeps its basis first; a close recorded here keeps it too. Should
   * Temporal run the task again (a crash, or a signal that came as it completed the run), the
   * case decides on that basis and records the same entries; signals wait in `queued` meanwhile,
   * so theirs follow the opening's. After the run's first record, its basis is in the history.
   */
  openingTask = false;
  /** the opening task's write kept its basis (postAutoAdjustment) */
  basisKept = false;
  /** signals that came during the opening task, applied once its first record is done */
  queued: (() => void)[] = [];
  /** what the opening read found (a lean case's first step), until its evidence and score steps take it */
  opening?: OpeningReads & { sent: OpeningQuery['scoring'] };
  /** a later report of this open pattern (shrink, drift) with new quantities, until the main loop takes it */
  patternUpdate?: { expectedQty: number; observedQty: number; source: string; receivedAt: string };
  /** source event ids merged since the last record: the read model keeps the full list */
  newSourceEventIds: string[] = [];
  /** a count task is being created: its id is not known yet (COUNT_BEFORE_TASK_KNOWN_PATCH) */
  creatingCountTask = false;
  /** count results that came while the task was being created, until the task's id is known */
  earlyCounts: CountResultSignalInput[] = [];
  /** set by handlers when something must be projected soon (a merge, an assignment) */
  dirty = false;
  /** the evidence and score (as JSON) the read model holds from this run's transitions */
  private projected: { evidence?: string; score?: string } = {};
  /** the last evidence digest, by the evidence's JSON: every audit entry carries it, the evidence rarely changes */
  private lastDigest?: { json: string; digest: string };

  constructor(
    public state: CaseState,
    public policy?: PinnedPolicy,
  ) {}

  /** What the previous run had not recorded when it continued as new: recorded first here. */
  carryUnrecorded(u: { entries: unknown[]; sourceEventIds: string[] }): void {
    this.pending.push(...(u.entries as AuditEntry[]));
    this.newSourceEventIds.push(...u.sourceEventIds);
    if (u.entries.length > 0 || u.sourceEventIds.length > 0) this.dirty = true;
  }

  /** Takes what is not yet recorded, for the next run to record. */
  takeUnrecorded(): { entries: unknown[]; sourceEventIds: string[] } {
    const u = { entries: this.pending, sourceEventIds: this.newSourceEventIds };
    this.pending = [];
    this.newSourceEventIds = [];
    return u;
  }

  audit(action: string, actorKind: AuditActorKind, actorId: string, detail: Record<string, unknown> = {}): void {
    const s = this.state;
    this.pending.push({
      seq: ++s.seq,
      at: nowIso(),
      action,
      actorKind,
      actorId,
      status: s.status,
      detail,
      policyVersion: s.policyVersion || undefined,
      scorerVersion: s.score?.scorerVersion ?? (actorKind === 'scorer' ? SCORER_VERSION : undefined),
      evidenceDigest: s.evidence ? this.evidenceDigest(s.evidence) : undefined,
    });
  }

  private evidenceDigest(evidence: NonNullable<CaseState['evidence']>): string {
    const json = JSON.stringify(evidence);
    if (this.lastDigest?.json !== json) this.lastDigest = { json, digest: digest(canonicalJson(evidence)) };
    return this.lastDigest.digest;
  }

  /**
   * Flushes pending audit entries with a projection of the current state; `local`: as a local
   * activity, for a case moving on its own (LOCAL_AUTOMATIC_STEPS_PATCH; the caller checked it).
   */
  async record(opts: { local?: boolean } = {}): Promise<void> {
    const basis = this.openingTask && opts.local && !this.basisKept ? this.basis() : undefined;
    this.mirror();
    const taken = this.take();
    if (basis) taken.transition.basis = { runId: workflowInfo().runId, basis };
    try {
      await (opts.local ? localRecords : records).recordTransition(taken.transition);
    } catch (err) {
      // records retry until they land; should one still fail, its ids go with the next
      this.newSourceEventIds = [...taken.newIds, ...this.newSourceEventIds];
      throw err;
    } finally {
      // signals that came while the opening was recorded waited too: all apply in their order
      if (this.openingTask) this.applyQueued();
    }
    // only once stored: a transition that never committed must not make the next one leave them out
    this.projected = taken.sent;
  }

  /**
   * Makes a transition (`change`) and hands its record to `send`, which records it with a write
   * in one local activity (the opening task's automatic correction). If `send` fails, the case is
   * as it was before `change`: nothing of it was recorded, and the caller goes the regular way.
   */
  async recordWith<T>(change: () => void, send: (t: TransitionRecord) => Promise<T>): Promise<T> {
    const before = { state: JSON.stringify(this.state), pending: this.pending, newIds: this.newSourceEventIds, dirty: this.dirty };
    this.pending = [...before.pending];
    change();
    const taken = this.take();
    let result: T;
    try {
      result = await send(taken.transition);
    } catch (err) {
      const s = this.state as unknown as Record<string, unknown>;
      for (const k of Object.keys(s)) delete s[k];
      Object.assign(s, JSON.parse(before.state));
      this.pending = before.pending;
      this.newSourceEventIds = before.newIds;
      this.dirty = before.dirty;
      throw err;
    }
    // the search attributes and details only once it is recorded: a failed write leaves them as they were
    this.mirror();
    this.projected = taken.sent;
    if (this.openingTask) this.applyQueued();
    return result;
  }

  /** The transition to record: the pending entries (an `updated` one if none) and the state, less what the read model holds. */
  private take(): { transition: TransitionRecord; sent: { evidence?: string; score?: string }; newIds: string[] } {
    if (this.pending.length === 0) this.audit('updated', 'system', 'reckon');
    const entries = this.pending;
    const newIds = this.newSourceEventIds;
    this.pending = [];
    this.newSourceEventIds = [];
    this.dirty = false;
    const s = this.state;
    // compared as JSON: a signal may add a note to the evidence in place
    const sent = { evidence: jsonOf(s.evidence), score: jsonOf(s.score) };
    const transition: TransitionRecord = { state: s, entries };
    if (newIds.length > 0) transition.newSourceEventIds = newIds;
    const kept = (['evidence', 'score'] as const).filter((k) => sent[k] !== undefined && sent[k] === this.projected[k]);
    if (kept.length > 0) {
      transition.state = { ...s };
      for (const k of kept) delete transition.state[k];
      transition.kept = [...kept];
    }
    return { transition, sent, newIds };
  }

  /** What the case decided on, once it has decided (the write's basis). */
  basis(): WriteBasis | undefined {
    const s = this.state;
    if (!this.policy || !s.evidence || !s.score || !s.decision) return undefined;
    return { policyVersion: this.policy.version, evidence: s.evidence, score: s.score, decision: s.decision };
  }

  /** Runs a signal's handler now, or after the opening task's first record (see openingTask). */
  whenOpened(apply: () => void): void {
    if (this.openingTask) this.queued.push(apply);
    else apply();
  }

  private applyQueued(): void {
    this.openingTask = false;
    const queued = this.queued;
    this.queued = [];
    for (const apply of queued) apply();
  }

  mirror(): void {
    const s = this.state;
    setCurrentDetails(this.details());
    // a case moving on its own shows its last resting state in Temporal's list for those seconds;
    // the read model (the API) has every step
    if (AUTOMATIC_STATUSES.has(s.status) && patchedBeforeLocal(this, QUIET_AUTOMATIC_STEPS_PATCH)) return;
    const wanted = [
      { key: kindKey, value: s.report.kind },
      { key: siteKey, value: s.report.site },
      { key: skuKey, value: s.report.sku },
      { key: statusKey, value: s.status },
      { key: severityKey, value: s.severity ?? null },
      { key: ownerRoleKey, value: s.ownerRole ?? null },
      { key: escalationLevelKey, value: s.escalationLevel },
      { key: valueAtRiskKey, value: s.assessment?.valueAtRisk ?? null },
      { key: slaDeadlineKey, value: s.slaDeadline ? new Date(s.slaDeadline) : null },
      { key: breachedKey, value: s.breached },
    ];
    // only what changed; the status always, so each transition still makes one upsert command
    // (the command sequence of histories recorded before this is unchanged; replay does not
    // compare an upsert's attributes)
    upsertSearchAttributes(changedAttributes(workflowInfo().typedSearchAttributes, wanted, [statusKey.name]));
  }

  /** Markdown shown in the Temporal UI's "current details". */
  details(): string {
    const s = this.state;
    const lines = [
      `**${s.report.kind}** at ${s.report.site} ${s.report.location ?? ''} · ${s.report.sku}`,
      `status: ${s.status}${s.resolution ? ` (${s.resolution})` : ''} · severity: ${s.severity ?? '—'} · occurrences: ${s.occurrences}`,
      `expected ${s.expectedQty}, observed ${s.observedQty}, value at risk ${s.assessment?.valueAtRisk ?? '—'}`,
    ];
    if (s.shadow) lines.push('**shadow mode**: decided and recorded; nothing is written to the WMS/ERP');
    if (s.score) lines.push(`score (${s.score.scorerVersion}): ${s.score.explanation} (confidence ${s.score.confidence})`);
    if (s.status === 'awaiting_approval' && this.policy && s.severity) {
      lines.push(`${describeRung(caseLadder(this.policy.document, s), s.escalationLevel)}${s.slaDeadline ? ` · due ${s.slaDeadline}` : ''}${s.route ? ` · routed: ${s.route}` : ''}`);
    }
    if (s.assignee) lines.push(`assignee: ${s.assignee}`);
    return lines.join('\n\n');
  }
}

function jsonOf(v: unknown): string | undefined {
  return v === undefined ? undefined : JSON.stringify(v);
}

/** Stable digest of the evidence (workflow code has no crypto); the evidence is stored in full beside it. */
function digest(text: string): string {
  return `fnv:${shortHash(text)}:${text.length}`;
}
