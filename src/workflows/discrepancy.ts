import { allHandlersFinished, condition, patched, workflowInfo } from '@temporalio/workflow';
import {
  decide,
  describeShadowDecision,
  evidenceOf,
  isShadow,
  caseLadder,
  positionOn,
  type CaseState,
  type Decision,
  type Evidence,
} from '../domain/core';
import { localEvidenceReads, localRecords, records } from './activity-proxies';
import {
  AUTO_RESOLVE_IN_ONE_TASK_PATCH,
  AUTO_RESOLVE_IN_ONE_WRITE_PATCH,
  CaseContext,
  initialState,
  LEAN_CASE_PATCH,
  LEAN_WAIT_PATCH,
  localSteps,
  patchedBeforeLocal,
  QUIET_AUTOMATIC_STEPS_PATCH,
} from './case-context';
import { EVIDENCE_IN_ONE_READ_PATCH, evidenceQuery, gatherEvidence } from './evidence';
import { registerHandlers } from './handlers';
import { applyPatternUpdate, rescorePattern, rescorePatternInAttention } from './pattern-growth';
import { caseScoreInput, scoreAndAssess, scoreAndAssessNow } from './scoring-step';
import type { DiscrepancyWorkflowInput } from './messages';
import { adjustAndClose, close, finish, NO_DEAD_ENDS_PATCH, placeHold, postAdjustment, releaseHold, WriteRefused } from './stock-writes';
import { awaitApproval, awaitAttention, awaitRecount, enterApproval, escalate, needsAttention } from './waits';

/** Patch id of shadow mode: a shadow case records its decision and closes without writing. */
export const SHADOW_MODE_PATCH = 'shadow-mode-records-only';

/** Patch id: a recount is compared with the WMS's books when counted (see compareRecountWithBooks). */
export const RECOUNT_AGAINST_BOOKS_NOW_PATCH = 'recount-against-books-now';

/** Patch id: a receiving recount that disagrees with the booked receipt is about the books (see compareRecountWithBooks). */
export const RECEIVING_RECOUNT_BOOKS_PATCH = 'receiving-recount-against-receipt';

/**
 * One discrepancy case, from report to resolution (docs/architecture.md). A state machine over
 * `state.status`, so a continue-as-new resumes exactly where the case was.
 */
export async function discrepancyWorkflow(input: DiscrepancyWorkflowInput): Promise<CaseState> {
  const ctx = new CaseContext(input.carried ?? initialState(input), input.policy);
  // before anything else, so replay meets these markers where the run recorded them (evidence.ts);
  // a run records its newest patch's marker and none of the patches it implies
  ctx.leanWait = patched(LEAN_WAIT_PATCH);
  ctx.oneWrite = ctx.leanWait || patched(AUTO_RESOLVE_IN_ONE_WRITE_PATCH);
  ctx.oneTask = ctx.oneWrite || patched(AUTO_RESOLVE_IN_ONE_TASK_PATCH);
  ctx.lean = ctx.oneTask || patched(LEAN_CASE_PATCH);
  // a case given its policy (a test's own) pins nothing in its opening: it writes as before
  ctx.openingTask = ctx.oneTask && !input.carried && !input.policy;
  ctx.evidenceInOneRead = ctx.lean || patched(EVIDENCE_IN_ONE_READ_PATCH);
  // the first run's source ids go to the read model's full list with its first record
  if (!input.carried) ctx.newSourceEventIds = [...ctx.state.sourceEventIds];
  if (input.unrecorded) ctx.carryUnrecorded(input.unrecorded);
  registerHandlers(ctx, input);
  const s = ctx.state;

  while (s.status !== 'closed') {
    try {
      // a one-write run's automatic steps make no promise where they await nothing (automaticStep)
      const next = ctx.oneWrite ? automaticStep(ctx) : undefined;
      if (next) await next;
      else if (next === undefined) await step(ctx, input);
    } catch (err) {
      if (!(err instanceof WriteRefused)) throw err;
      await needsAttention(ctx, err);
    }
  }
  // a report, comment or hold hand-over that came while the case was closing is recorded on it
  // (the report is not lost, and no stock stays held by a closed case)
  while (ctx.dirty || ctx.pending.length > 0 || ctx.newSourceEventIds.length > 0) {
    if (s.hold && !s.hold.released && patchedBeforeLocal(ctx, NO_DEAD_ENDS_PATCH)) await releaseAfterClose(ctx);
    await ctx.record();
  }
  // let in-flight updates (e.g. a late comment refused) finish before completing
  if (!ctx.oneWrite || !allHandlersFinished()) await condition(allHandlersFinished);
  return s;
}

/** A hold handed to the case as it closed: released, or, if the WMS refuses, left to the paged role on record. */
async function releaseAfterClose(ctx: CaseContext): Promise<void> {
  try {
    await releaseHold(ctx, 'system', 'reckon');
  } catch (err) {
    if (!(err instanceof WriteRefused)) throw err;
    ctx.audit('hold_release_failed', 'system', 'reckon', { holdId: ctx.state.hold?.holdId, error: err.reason });
  }
}

/**
 * The steps of a case moving on its own, for a one-write run: `null` when the step was taken
 * without awaiting anything, `undefined` when the case waits (the regular `step` takes it). Each
 * promise a workflow makes costs the SDK a stack capture, and a new case that auto-resolves
 * takes five of these steps in its one task. No handler runs beside them (a re-pin waits for a
 * settled case), so fewer promises change no command's place.
 */
function automaticStep(ctx: CaseContext): Promise<void> | null | undefined {
  switch (ctx.state.status) {
    case 'opened':
      return open(ctx);
    case 'gathering_evidence': {
      const ready = ctx.kept?.evidence ?? openedEvidence(ctx);
      if (!ready) return gather(ctx);
      gathered(ctx, ready);
      return null;
    }
    case 'scoring': {
      // as score(): a pattern report that grew the case meanwhile is scored; a lean run records nothing here
      applyPatternUpdate(ctx);
      const scoring = scoreAndAssessNow(ctx);
      if (scoring) return scoring.then(() => void (ctx.state.status = 'deciding'));
      ctx.state.status = 'deciding';
      return null;
    }
    case 'deciding':
      return decideNext(ctx);
    case 'auto_resolving':
      return autoResolve(ctx);
    default:
      return undefined;
  }
}

async function step(ctx: CaseContext, input: DiscrepancyWorkflowInput): Promise<void> {
  switch (ctx.state.status) {
    case 'opened':
      return open(ctx);
    case 'gathering_evidence':
      return gather(ctx);
    case 'scoring':
      return score(ctx);
    case 'deciding':
      return decideNext(ctx);
    case 'auto_resolving':
      return autoResolve(ctx);
    case 'awaiting_recount':
      return awaitRecount(ctx, input);
    case 'awaiting_approval': {
      const outcome = await awaitApproval(ctx, input);
      if (outcome === 'decided') return carryOut(ctx);
      if (outcome === 'breached') return escalate(ctx);
      if (outcome === 'pattern_grew') return rescorePattern(ctx);
      return;
    }
    case 'needs_attention':
      if ((await awaitAttention(ctx, input)) === 'pattern_grew') return rescorePatternInAttention(ctx);
      return;
  }
}

async function open(ctx: CaseContext): Promise<void> {
  const local = localSteps(ctx);
  if (ctx.lean && !ctx.policy) {
    // the pin, the evidence and the score in one local activity; if it fails, one step at a time
    const sent = caseScoreInput(ctx);
    const runId = ctx.openingTask ? workflowInfo().runId : undefined;
    const first = await localEvidenceReads.readOpening({ ...evidenceQuery(ctx.state), scoring: sent, runId }).catch(() => undefined);
    if (first) {
      ctx.policy = first.policy;
      ctx.opening = { ...first, sent };
      ctx.kept = first.kept;
    } else if (runId) {
      // an earlier attempt of this task may have written: its basis is asked for until the store answers
      ctx.kept = (await localRecords.keptWriteBasis(runId)) ?? undefined;
      if (ctx.kept) ctx.policy = await localRecords.loadPolicyVersion(ctx.kept.policyVersion, ctx.state.report.site, ctx.state.report.kind);
    }
  }
  // the active version as it applies at the case's site: its override layer merged in
  ctx.policy ??= await (local ? localRecords : records).pinPolicy(ctx.state.report.site, ctx.state.report.kind);
  ctx.state.policyVersion = ctx.policy.version;
  if (ctx.policy.layer) ctx.state.policyLayer = ctx.policy.layer;
  // a policy pinned before shadow mode existed has no shadow section: never shadow
  if (isShadow(ctx.policy.document, ctx.state.report.site)) ctx.state.shadow = true;
  ctx.audit('opened', 'system', ctx.state.report.source, {
    report: ctx.state.report,
    workflowId: ctx.state.workflowId,
    policyVersion: ctx.policy.version,
    ...(ctx.policy.layer ? { policyLayer: ctx.policy.layer } : {}),
    ...(ctx.state.shadow ? { shadow: true } : {}),
  });
  ctx.state.status = 'gathering_evidence';
  // a lean case records its opening with its next transition: until then its row is the one
  // the intake wrote (`opened`), and nobody acts on a case in its first seconds
  if (!ctx.lean) await ctx.record({ local });
}

async function gather(ctx: CaseContext): Promise<void> {
  gathered(ctx, ctx.kept?.evidence ?? (await gatherEvidence(ctx.state, localSteps(ctx), ctx.evidenceInOneRead, ctx.opening?.evidence)));
  if (!patchedBeforeLocal(ctx, QUIET_AUTOMATIC_STEPS_PATCH)) await ctx.record();
}

/** What the opening read found, when every source answered (a one-write run: its steps are local and read once). */
function openedEvidence(ctx: CaseContext): Evidence | undefined {
  const opened = ctx.opening?.evidence;
  return opened && opened.failed.length === 0 ? evidenceOf(opened.found) : undefined;
}

function gathered(ctx: CaseContext, evidence: Evidence): void {
  const s = ctx.state;
  s.evidence = evidence;
  // whoever adjusted or counted this stock recently is party to the discrepancy
  for (const a of evidence.recentAdjustments ?? []) if (a.userId && a.userId !== 'reckon') addInvolved(s, a.userId, `adjusted this stock by ${a.qty} (${a.reasonCode}, ${a.occurredAt})`);
  for (const c of evidence.countHistory ?? []) if (c.countedBy) addInvolved(s, c.countedBy, `counted this bin (${c.countedAt})`);
  // segregation of duties from the evidence: whoever received, picked or moved this stock (policy switch, on by default)
  if (ctx.policy!.document.segregationFromEvidence !== false) {
    for (const t of evidence.recentTransactions ?? []) {
      if (t.userId && t.userId !== 'reckon') addInvolved(s, t.userId, `${TOUCHED[t.type] ?? t.type} this stock (${t.type} ${t.id}, ${t.occurredAt})`);
    }
  }
  const rebased = compareRecountWithBooks(s);
  ctx.audit('evidence_gathered', 'system', 'reckon', { missing: evidence.missing, ...rebased });
  s.status = 'scoring';
}

/**
 * Kinds where a recount is a physical count against the WMS's books. A negative balance is one:
 * reported as 0 expected against −n held, its recount of an empty shelf is 0 against −n in the
 * books, not 0 against 0 (which closed it "as the system says" with the books still negative).
 */
const COUNTED_AGAINST_WMS: ReadonlySet<string> = new Set(['count_variance', 'phantom_stock', 'negative_inventory']);

/**
 * A recount taken hours after the case opened must be compared with the books as they were when
 * it was counted: picks and receipts since the case opened moved the shelf and the WMS alike, and
 * the opening quantity would book their movement as a variance. The count result carries the
 * books at count time; without them, the WMS balance read right after. Cases recorded before
 * this compared with the opening quantity.
 */
function compareRecountWithBooks(s: CaseState): { expectedQty?: number; expectedQtyBefore?: number } {
  const last = s.recounts.at(-1);
  if (!last || last.countedQty === undefined || last.bookQty !== undefined) return {};
  const books = last.booksAtCount ?? s.evidence?.wmsBalance?.qty;
  // a receiving count that matches the books confirms the receipt (a short stays a supplier
  // matter against the ASN); one that differs means the receipt was keyed wrong: the case is
  // then the books against the shelf, else it would close "as the system says" with them wrong
  const receivingMiskey = s.report.kind === 'receiving_variance' && books !== undefined && books !== last.countedQty;
  if (receivingMiskey && patched(RECEIVING_RECOUNT_BOOKS_PATCH)) return rebaseOnBooks(s, last, books);
  if (books === undefined || !COUNTED_AGAINST_WMS.has(s.report.kind) || !patched(RECOUNT_AGAINST_BOOKS_NOW_PATCH)) return {};
  return rebaseOnBooks(s, last, books);
}

function rebaseOnBooks(s: CaseState, last: CaseState['recounts'][number], books: number): { expectedQty?: number; expectedQtyBefore?: number } {
  const before = s.expectedQty;
  last.bookQty = books;
  s.expectedQty = books;
  return before === books ? {} : { expectedQty: books, expectedQtyBefore: before };
}

function addInvolved(s: CaseState, userId: string, why: string): void {
  if (!s.involvedUsers.includes(userId) && s.involvedUsers.length < MAX_INVOLVED) s.involvedUsers.push(userId);
  s.involvement ??= {};
  if (!s.involvement[userId] && Object.keys(s.involvement).length < MAX_INVOLVED) s.involvement[userId] = why;
}

/** Enough for every person who touched one bin's stock in the lookback window; bounded state. */
const MAX_INVOLVED = 200;

const TOUCHED: Record<string, string> = {
  receipt: 'received', putaway: 'put away', pick: 'picked', move: 'moved', adjustment: 'adjusted',
  count: 'counted', transfer_shipped: 'shipped', transfer_received: 'received', return_received: 'received the return of',
};

async function score(ctx: CaseContext): Promise<void> {
  // a pattern report that grew the case while it was being assessed: its quantities are scored
  applyPatternUpdate(ctx);
  await scoreAndAssess(ctx, localSteps(ctx));
  ctx.state.status = 'deciding';
  if (!patchedBeforeLocal(ctx, QUIET_AUTOMATIC_STEPS_PATCH)) await ctx.record();
}

async function decideNext(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  const policy = ctx.policy!.document;
  const recountsDone = s.recounts.filter((r) => r.countedQty !== undefined).length;
  // an earlier attempt of this task wrote on a decision: it stands
  const d =
    ctx.kept?.decision ??
    decide({
      policy,
      report: s.report,
      quantities: { expectedQty: s.expectedQty, observedQty: s.observedQty },
      assessment: s.assessment!,
      score: s.score!,
      recountsDone,
    });
  ctx.kept = undefined;
  s.decision = d;
  ctx.audit('decided', d.action === 'auto_resolve' ? 'rule' : 'system', d.action === 'auto_resolve' ? d.rule : 'policy', { ...d });
  if (s.shadow && patched(SHADOW_MODE_PATCH)) {
    await closeInShadow(ctx, d);
    return;
  }
  switch (d.action) {
    case 'auto_resolve':
      s.status = 'auto_resolving';
      // the evidence, score and decision go with the close (or the refusal) in one record
      if (localSteps(ctx)) return;
      break;
    case 'resolved_by_recount':
      await releaseHold(ctx, 'system', 'reckon');
      close(ctx, 'resolved_by_recount', d.reason);
      break;
    case 'recount':
      s.status = 'awaiting_recount';
      break;
    case 'hold_then_review':
      await placeHold(ctx, 'critical severity: stop the line');
      await enterApproval(ctx, 0);
      return; // enterApproval records
    case 'review':
      await enterApproval(ctx, 0);
      return;
  }
  await ctx.record();
}

/** Shadow mode: the decision is recorded with what it would have done; no write, no hold, no task, no page. */
async function closeInShadow(ctx: CaseContext, d: Decision): Promise<void> {
  const s = ctx.state;
  const firstRole = positionOn(caseLadder(ctx.policy!.document, s), 0).role;
  const wouldHave = describeShadowDecision(d, { variance: s.observedQty - s.expectedQty, firstRole });
  ctx.audit('shadow_recorded', 'system', 'shadow', { action: d.action, wouldHave, systemsOfRecord: 'untouched' });
  close(ctx, 'shadowed', `shadow mode: ${wouldHave}`);
  await ctx.record();
}

async function autoResolve(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  const d = s.decision;
  if (d?.action !== 'auto_resolve') throw new Error('auto_resolving without an auto_resolve decision');
  if (d.correction === 'adjust' && d.adjustQty !== 0) {
    const reasonCode = ctx.policy!.document.autoAdjustReasonCode;
    if (await adjustAndClose(ctx, d.adjustQty, reasonCode, `rule:${d.rule}`, 'auto_resolved', d.reason)) return;
    await postAdjustment(ctx, d.adjustQty, reasonCode, `rule:${d.rule}`);
  } else {
    ctx.audit(d.correction === 'suppress' ? 'suppressed' : 'resynced', 'rule', d.rule, { reason: d.reason, adjustment: 'none' });
  }
  await finish(ctx, 'auto_resolved', d.reason);
  await ctx.record({ local: localSteps(ctx) });
}

/** Applies an approver's accepted decision. */
async function carryOut(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  const d = ctx.decision!;
  if (d.kind === 'recount') {
    s.status = 'awaiting_recount';
    s.ownerRole = undefined;
    s.slaDeadline = undefined;
    s.slaDeadlineLocal = undefined;
    await ctx.record();
    return; // awaitRecount creates the task and clears the decision
  }
  const by = { kind: 'user' as const, id: d.userId };
  if (d.kind === 'approve') {
    if (d.adjustQty) await postAdjustment(ctx, d.adjustQty, d.reasonCode ?? 'APPROVED', d.userId);
    await releaseHold(ctx, 'user', d.userId);
    s.resolutionCode = d.reasonCode;
    await finish(ctx, 'approved_adjusted', `approved by ${s.approvals.map((a) => a.userId).join(' and ')}: ${d.reasonCode}`, by);
  } else {
    await releaseHold(ctx, 'user', d.userId);
    s.resolutionCode = d.reasonCode;
    await finish(ctx, 'rejected_no_change', `rejected by ${d.userId}: ${d.reasonCode}${d.comment ? ` — ${d.comment}` : ''}`, by);
  }
  ctx.decision = undefined;
  await ctx.record();
}

