import { allHandlersFinished, condition, continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import {
  assess,
  decide,
  describeShadowDecision,
  durationMs,
  recountTimeoutFor,
  isShadow,
  ladderFor,
  positionOn,
  scorerOf,
  type CaseState,
  type Decision,
  type Resolution,
} from '../domain/core';
import { records, scoring, writes } from './activity-proxies';
import { CaseContext, initialState, nowIso, QUIET_AUTOMATIC_STEPS_PATCH } from './case-context';
import { gatherEvidence, stockKey } from './evidence';
import { registerHandlers } from './handlers';
import type { DiscrepancyWorkflowInput } from './messages';

/** Patch id of shadow mode: a shadow case records its decision and closes without writing. */
export const SHADOW_MODE_PATCH = 'shadow-mode-records-only';

/** Patch id: a recount is compared with the WMS's books when counted (see compareRecountWithBooks). */
export const RECOUNT_AGAINST_BOOKS_NOW_PATCH = 'recount-against-books-now';

/** Continue-as-new well before Temporal's history limits; duplicates can be many. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 4000;

/**
 * One discrepancy case, from report to resolution (DESIGN §5). A state machine over
 * `state.status`, so a continue-as-new resumes exactly where the case was.
 */
export async function discrepancyWorkflow(input: DiscrepancyWorkflowInput): Promise<CaseState> {
  const ctx = new CaseContext(input.carried ?? initialState(input), input.policy);
  registerHandlers(ctx, input);
  const s = ctx.state;

  while (s.status !== 'closed') {
    switch (s.status) {
      case 'opened':
        await open(ctx);
        break;
      case 'gathering_evidence':
        await gather(ctx);
        break;
      case 'scoring':
        await score(ctx);
        break;
      case 'deciding':
        await decideNext(ctx);
        break;
      case 'auto_resolving':
        await autoResolve(ctx);
        break;
      case 'awaiting_recount':
        await awaitRecount(ctx);
        break;
      case 'awaiting_approval':
        await awaitApproval(ctx, input);
        break;
    }
  }
  // let in-flight updates (e.g. a late comment refused) finish before completing
  await condition(allHandlersFinished);
  return s;
}

async function open(ctx: CaseContext): Promise<void> {
  ctx.policy ??= await records.pinPolicy();
  ctx.state.policyVersion = ctx.policy.version;
  // a policy pinned before shadow mode existed has no shadow section: never shadow
  if (isShadow(ctx.policy.document, ctx.state.report.site)) ctx.state.shadow = true;
  ctx.audit('opened', 'system', ctx.state.report.source, {
    report: ctx.state.report,
    workflowId: ctx.state.workflowId,
    policyVersion: ctx.policy.version,
    ...(ctx.state.shadow ? { shadow: true } : {}),
  });
  ctx.state.status = 'gathering_evidence';
  await ctx.record();
}

async function gather(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  s.evidence = await gatherEvidence(s);
  // whoever adjusted or counted this stock recently is party to the discrepancy
  for (const a of s.evidence.recentAdjustments ?? []) if (a.userId && a.userId !== 'reckon') addInvolved(s, a.userId);
  for (const c of s.evidence.countHistory ?? []) if (c.countedBy) addInvolved(s, c.countedBy);
  const rebased = compareRecountWithBooks(s);
  ctx.audit('evidence_gathered', 'system', 'reckon', { missing: s.evidence.missing, ...rebased });
  s.status = 'scoring';
  if (!patched(QUIET_AUTOMATIC_STEPS_PATCH)) await ctx.record();
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
  if (books === undefined || !COUNTED_AGAINST_WMS.has(s.report.kind) || !patched(RECOUNT_AGAINST_BOOKS_NOW_PATCH)) return {};
  const before = s.expectedQty;
  last.bookQty = books;
  s.expectedQty = books;
  return before === books ? {} : { expectedQty: books, expectedQtyBefore: before };
}

function addInvolved(s: CaseState, userId: string): void {
  if (!s.involvedUsers.includes(userId)) s.involvedUsers.push(userId);
}

async function score(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  const policy = ctx.policy!.document;
  s.score = await scoring.scoreCase({
    kind: s.report.kind,
    expectedQty: s.expectedQty,
    observedQty: s.observedQty,
    reportedQty: s.report.observedQty,
    unitCost: s.report.unitCost,
    sourceEventIds: s.sourceEventIds,
    recounts: s.recounts.filter((r) => r.countedQty !== undefined).map((r) => ({ countedQty: r.countedQty! })),
    evidence: s.evidence ?? { missing: ['all'] },
    // the pinned policy's scorer; parameters of a learned scorer stay inside the activity's result
    scorer: scorerOf(policy, s.report.site),
    caseId: s.caseId,
    site: s.report.site,
    sku: s.report.sku,
    location: s.report.location,
    causedBy: s.report.causedBy,
  });
  s.assessment = assess(policy, s.report, { expectedQty: s.expectedQty, observedQty: s.observedQty });
  s.severity = s.assessment.severity;
  ctx.audit('scored', 'scorer', s.score.scorerVersion, {
    confidence: s.score.confidence,
    causes: s.score.causes.map((c) => ({ cause: c.cause, probability: c.probability, explainedQty: c.explainedQty })),
    // scorer v2: its root-cause probabilities and the factors behind the leading one
    ...(s.score.rootCauses ? { rootCauses: s.score.rootCauses.slice(0, 3), topFactors: s.score.topFactors } : {}),
    explanation: s.score.explanation,
    severity: s.severity,
    withinTolerance: s.assessment.tolerance.within,
    valueAtRisk: s.assessment.valueAtRisk,
  });
  s.status = 'deciding';
  if (!patched(QUIET_AUTOMATIC_STEPS_PATCH)) await ctx.record();
}

async function decideNext(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  const policy = ctx.policy!.document;
  const recountsDone = s.recounts.filter((r) => r.countedQty !== undefined).length;
  const d = decide({
    policy,
    report: s.report,
    quantities: { expectedQty: s.expectedQty, observedQty: s.observedQty },
    assessment: s.assessment!,
    score: s.score!,
    recountsDone,
  });
  s.decision = d;
  ctx.audit('decided', d.action === 'auto_resolve' ? 'rule' : 'system', d.action === 'auto_resolve' ? d.rule : 'policy', { ...d });
  if (s.shadow && patched(SHADOW_MODE_PATCH)) {
    await closeInShadow(ctx, d);
    return;
  }
  switch (d.action) {
    case 'auto_resolve':
      s.status = 'auto_resolving';
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
  const firstRole = positionOn(ladderFor(ctx.policy!.document, s.severity!), 0).role;
  const wouldHave = describeShadowDecision(d, { variance: s.observedQty - s.expectedQty, firstRole });
  ctx.audit('shadow_recorded', 'system', 'shadow', { action: d.action, wouldHave, systemsOfRecord: 'untouched' });
  close(ctx, 'shadowed', `shadow mode: ${wouldHave}`);
  await ctx.record();
}

function close(ctx: CaseContext, resolution: Resolution, reason: string): void {
  const s = ctx.state;
  s.status = 'closed';
  s.resolution = resolution;
  s.resolutionReason = reason;
  s.closedAt = nowIso();
  s.ownerRole = undefined;
  s.slaDeadline = undefined;
  ctx.audit('closed', 'system', 'reckon', { resolution, reason });
}

async function autoResolve(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  const d = s.decision;
  if (d?.action !== 'auto_resolve') throw new Error('auto_resolving without an auto_resolve decision');
  if (d.correction === 'adjust' && d.adjustQty !== 0) {
    await postAdjustment(ctx, d.adjustQty, ctx.policy!.document.autoAdjustReasonCode, `rule:${d.rule}`);
  } else {
    ctx.audit(d.correction === 'suppress' ? 'suppressed' : 'resynced', 'rule', d.rule, { reason: d.reason, adjustment: 'none' });
  }
  close(ctx, 'auto_resolved', d.reason);
  await ctx.record();
}

async function postAdjustment(ctx: CaseContext, qty: number, reasonCode: string, actor: string): Promise<void> {
  const s = ctx.state;
  const target = s.report.kind === 'system_mismatch' ? 'erp' : 'both';
  const res = await writes.postAdjustment({
    ...stockKey(s),
    qty,
    target,
    reasonCode,
    caseId: s.caseId,
    actor,
    idempotencyKey: `${s.caseId}:adjust`,
  });
  s.adjustment = { adjustmentId: res.adjustmentId, qty, target };
  ctx.audit('adjustment_posted', actor.startsWith('rule:') ? 'rule' : 'user', actor, {
    adjustmentId: res.adjustmentId,
    qty,
    target,
    reasonCode,
    idempotencyKey: `${s.caseId}:adjust`,
  });
}

async function placeHold(ctx: CaseContext, reason: string): Promise<void> {
  const s = ctx.state;
  if (s.hold && !s.hold.released) return;
  const qty = Math.max(Math.abs(s.observedQty - s.expectedQty), 0);
  const res = await writes.placeHold({ ...stockKey(s), qty, reason, caseId: s.caseId, idempotencyKey: `${s.caseId}:hold` });
  s.hold = { holdId: res.holdId, qty, released: false };
  ctx.audit('hold_placed', 'system', 'reckon', { holdId: res.holdId, qty, reason });
}

async function releaseHold(ctx: CaseContext, actorKind: 'system' | 'user', actorId: string): Promise<void> {
  const s = ctx.state;
  if (!s.hold || s.hold.released) return;
  await writes.releaseHold({ holdId: s.hold.holdId, idempotencyKey: `${s.caseId}:release:${s.hold.holdId}` });
  s.hold.released = true;
  ctx.audit('hold_released', actorKind, actorId, { holdId: s.hold.holdId });
}

async function awaitRecount(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  let current = s.recounts.find((r) => r.countedQty === undefined && !r.timedOut);
  if (!current) {
    const n = s.recounts.length + 1;
    const task = await writes.createCountTask({
      ...stockKey(s),
      caseId: s.caseId,
      reason: `recount ${n} for ${s.report.kind}`,
      idempotencyKey: `${s.caseId}:count:${n}`,
    });
    current = { taskId: task.taskId, requestedBy: ctx.decision?.userId ?? 'policy', requestedAt: nowIso() };
    s.recounts.push(current);
    ctx.decision = undefined;
    ctx.audit('count_task_created', 'system', 'reckon', { taskId: task.taskId, recount: n });
    await ctx.record();
  }
  const task = current;
  const wait = recountTimeoutFor(ctx.policy!.document, s.report.site);
  const timeoutMs = Date.parse(task.requestedAt) + durationMs(wait) - Date.now();
  const counted = await condition(() => task.countedQty !== undefined || ctx.dirty, Math.max(timeoutMs, 1), {
    summary: `recount ${task.taskId}: waiting for the count result, ${wait}`,
  });
  if (task.countedQty !== undefined) {
    ctx.audit('count_result', 'user', task.countedBy ?? 'unknown', { taskId: task.taskId, countedQty: task.countedQty });
    s.observedQty = task.countedQty;
    s.status = 'gathering_evidence'; // fresh evidence, then score again with the new count
    await ctx.record();
  } else if (!counted) {
    ctx.audit('recount_timed_out', 'system', 'reckon', { taskId: task.taskId });
    task.timedOut = true;
    await enterApproval(ctx, 0);
  } else {
    await ctx.record(); // a merge or a comment while waiting
  }
}

/** Puts the case on the ladder at `level`: owner, SLA deadline, notification. */
async function enterApproval(ctx: CaseContext, level: number): Promise<void> {
  const s = ctx.state;
  const ladder = ladderFor(ctx.policy!.document, s.severity!);
  const pos = positionOn(ladder, level);
  s.status = 'awaiting_approval';
  s.escalationLevel = level;
  s.ownerRole = pos.role;
  s.slaDeadline = new Date(Date.now() + pos.slaMs).toISOString();
  await writes.notifyRole({
    role: pos.role,
    site: s.report.site,
    caseId: s.caseId,
    subject: `${s.severity} ${s.report.kind} at ${s.report.site}: ${s.report.sku} needs a decision`,
    body: `${s.score?.explanation ?? ''} Decide by ${s.slaDeadline}.`,
    idempotencyKey: `${s.caseId}:notify:${level}:${s.recounts.length}`,
  });
  ctx.audit(level === 0 ? 'approval_requested' : 'escalated', 'system', 'reckon', {
    rung: level + 1,
    role: pos.role,
    slaDeadline: s.slaDeadline,
  });
  await ctx.record();
}

async function awaitApproval(ctx: CaseContext, input: DiscrepancyWorkflowInput): Promise<void> {
  const s = ctx.state;
  const ladder = ladderFor(ctx.policy!.document, s.severity!);
  const remaining = Date.parse(s.slaDeadline!) - Date.now();
  const woke = await condition(() => ctx.decision !== undefined || ctx.dirty, Math.max(remaining, 1), {
    summary: `SLA: ${s.ownerRole}, ${ladder.rungs[s.escalationLevel]?.sla ?? '—'}`,
  });
  if (ctx.decision) {
    await carryOut(ctx);
    return;
  }
  if (woke) {
    await ctx.record();
    await maybeContinueAsNew(ctx, input);
    return;
  }
  // SLA breached on this rung
  s.breached = true;
  ctx.audit('sla_breached', 'system', 'reckon', { rung: s.escalationLevel + 1, role: s.ownerRole });
  const next = s.escalationLevel + 1;
  if (next < ladder.rungs.length) {
    await enterApproval(ctx, next);
    return;
  }
  const terminal = ladder.terminal;
  s.escalationLevel = next;
  if (terminal.action === 'hold_and_page') await placeHold(ctx, 'escalation ladder exhausted');
  await writes.notifyRole({
    role: terminal.role,
    site: s.report.site,
    caseId: s.caseId,
    subject: `PAGE: ${s.report.kind} at ${s.report.site} (${s.report.sku}) passed every SLA`,
    body: `No decision after ${ladder.rungs.length} rungs. ${terminal.action === 'hold_and_page' ? 'The stock is held.' : ''}`,
    idempotencyKey: `${s.caseId}:page`,
  });
  ctx.audit('terminal_action', 'system', 'reckon', { action: terminal.action, role: terminal.role });
  close(ctx, 'escalated_terminal', `no decision within the ladder; ${terminal.action} to ${terminal.role}`);
  await ctx.record();
}

/** Applies an approver's accepted decision. */
async function carryOut(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  const d = ctx.decision!;
  if (d.kind === 'recount') {
    s.status = 'awaiting_recount';
    s.ownerRole = undefined;
    s.slaDeadline = undefined;
    await ctx.record();
    return; // awaitRecount creates the task and clears the decision
  }
  if (d.kind === 'approve') {
    if (d.adjustQty) await postAdjustment(ctx, d.adjustQty, d.reasonCode ?? 'APPROVED', d.userId);
    await releaseHold(ctx, 'user', d.userId);
    s.resolutionCode = d.reasonCode;
    close(ctx, 'approved_adjusted', `approved by ${s.approvals.map((a) => a.userId).join(' and ')}: ${d.reasonCode}`);
  } else {
    await releaseHold(ctx, 'user', d.userId);
    s.resolutionCode = d.reasonCode;
    close(ctx, 'rejected_no_change', `rejected by ${d.userId}: ${d.reasonCode}${d.comment ? ` — ${d.comment}` : ''}`);
  }
  ctx.decision = undefined;
  await ctx.record();
}

async function maybeContinueAsNew(ctx: CaseContext, input: DiscrepancyWorkflowInput): Promise<void> {
  const info = workflowInfo();
  if (!info.continueAsNewSuggested && info.historyLength < (input.historyLimit ?? HISTORY_EVENTS_BEFORE_CONTINUE)) return;
  await condition(allHandlersFinished);
  if (ctx.decision || ctx.pending.length > 0) return; // finish what arrived meanwhile first
  await continueAsNew<typeof discrepancyWorkflow>({
    report: input.report,
    receivedAt: input.receivedAt,
    carried: ctx.state,
    policy: ctx.policy,
    historyLimit: input.historyLimit,
  });
}
