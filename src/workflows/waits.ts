import { allHandlersFinished, condition, continueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import { caseLadder, durationMs, positionOn, recountTimeoutFor, routeFor, slaDeadline, terminalPlan } from '../domain/core';
import { notifications, writes } from './activity-proxies';
import { nowIso, patchedBeforeLocal, type CaseContext } from './case-context';
import { conditionOrDeadline } from './condition-or-deadline';
import { creatingCountTask, takeEarlyCounts } from './count-results';
import { stockKey } from './evidence';
import type { DiscrepancyWorkflowInput } from './messages';
import { finish, NO_DEAD_ENDS_PATCH, placeHold, releaseHold, write, WriteRefused } from './stock-writes';

/** Continue-as-new well before Temporal's history limits (51,200 events, 50 MB); reports can be many. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 4000;
const HISTORY_BYTES_BEFORE_CONTINUE = 4 * 1024 * 1024;

/**
 * Waits at rest (for a count, a decision, a person's action) until `done()` or the deadline.
 * What arrives meanwhile (reports merged, comments, assignments) is recorded once per burst:
 * signals that come while a record is in flight join the next one. A long wait continues as new
 * so a storm of reports never brings the run near Temporal's limits. True when `done()`.
 */
export async function rest(
  ctx: CaseContext,
  input: DiscrepancyWorkflowInput,
  done: () => boolean,
  deadline: () => number | undefined,
  summary: () => string,
): Promise<boolean> {
  for (;;) {
    const at = deadline();
    let woke = true;
    if (!ctx.leanWait) {
      // as recorded before LEAN_WAIT_PATCH
      woke =
        at === undefined
          ? await condition(() => done() || ctx.dirty).then(() => true)
          : await condition(() => done() || ctx.dirty, Math.max(at - Date.now(), 1), { summary: summary() });
    } else if (at === undefined) await condition(() => done() || ctx.dirty);
    else woke = await conditionOrDeadline(() => done() || ctx.dirty, Math.max(at - Date.now(), 1), { summary: summary() });
    if (done()) return true;
    if (!woke) return false;
    await ctx.record();
    if (done()) return true;
    await maybeContinueAsNew(ctx, input, done);
  }
}

export async function maybeContinueAsNew(ctx: CaseContext, input: DiscrepancyWorkflowInput, done: () => boolean = () => false): Promise<void> {
  const info = workflowInfo();
  const limit = input.historyLimit ?? HISTORY_EVENTS_BEFORE_CONTINUE;
  if (!info.continueAsNewSuggested && info.historyLength < limit && info.historySize < HISTORY_BYTES_BEFORE_CONTINUE) return;
  await condition(allHandlersFinished);
  // a person's decision is carried out in this run; what merely arrived (reports, comments) goes
  // with the state and is recorded first thing in the next, so a steady stream cannot hold it here
  // what the wait was for came meanwhile (a count result, say): it is handled in this run
  if (done() || ctx.decision || ctx.attentionAction) return;
  const unrecorded = ctx.pending.length > 0 || ctx.newSourceEventIds.length > 0 ? ctx.takeUnrecorded() : undefined;
  await continueAsNew<(i: DiscrepancyWorkflowInput) => Promise<unknown>>({
    report: input.report,
    receivedAt: input.receivedAt,
    carried: ctx.state,
    policy: ctx.policy,
    historyLimit: input.historyLimit,
    ...(unrecorded ? { unrecorded } : {}),
  });
}

export async function awaitRecount(ctx: CaseContext, input: DiscrepancyWorkflowInput): Promise<void> {
  const s = ctx.state;
  let current = s.recounts.find((r) => r.countedQty === undefined && !r.timedOut);
  if (!current) {
    const n = s.recounts.length + 1;
    const task = await creatingCountTask(ctx, () =>
      write(ctx, 'create count task', () =>
        writes.createCountTask({ ...stockKey(s), caseId: s.caseId, reason: `recount ${n} for ${s.report.kind}`, idempotencyKey: `${s.caseId}:count:${n}` }),
      ),
    );
    current = { taskId: task.taskId, requestedBy: ctx.decision?.userId ?? 'policy', requestedAt: nowIso() };
    s.recounts.push(current);
    ctx.decision = undefined;
    ctx.audit('count_task_created', 'system', 'reckon', { taskId: task.taskId, recount: n });
    // a counter who answered before the case knew the task's id
    takeEarlyCounts(ctx);
    await ctx.record();
  }
  const task = current;
  const wait = recountTimeoutFor(ctx.policy!.document, s.report.site);
  const counted = await rest(
    ctx,
    input,
    () => task.countedQty !== undefined,
    () => Date.parse(task.requestedAt) + durationMs(wait),
    () => `recount ${task.taskId}: waiting for the count result, ${wait}`,
  );
  if (counted) {
    ctx.audit('count_result', 'user', task.countedBy ?? 'unknown', { taskId: task.taskId, countedQty: task.countedQty });
    s.observedQty = task.countedQty!;
    s.status = 'gathering_evidence'; // fresh evidence, then score again with the new count
    await ctx.record();
    return;
  }
  ctx.audit('recount_timed_out', 'system', 'reckon', { taskId: task.taskId });
  task.timedOut = true;
  await enterApproval(ctx, 0);
}

/** Puts the case on the ladder at `level`: owner, SLA deadline, notification. */
export async function enterApproval(ctx: CaseContext, level: number): Promise<void> {
  const s = ctx.state;
  voidStaleApprovals(ctx);
  const routed = routeFor(ctx.policy!.document, s.report, s.severity!);
  const ladder = routed.ladder;
  const pos = positionOn(ladder, level);
  s.route = routed.because;
  s.status = 'awaiting_approval';
  s.escalationLevel = level;
  s.ownerRole = pos.role;
  s.rungStartedAt = nowIso();
  const due = slaDeadline(ctx.policy!.document, s.report.site, Date.now(), pos.slaMs);
  s.slaDeadline = new Date(due.at).toISOString();
  s.slaDeadlineLocal = due.local;
  // the request first: a decision that comes while the notification is sent follows it in the log
  ctx.audit(level === 0 ? 'approval_requested' : 'escalated', 'system', 'reckon', { rung: level + 1, role: pos.role, slaDeadline: s.slaDeadline, route: routed.because });
  await notify(ctx, {
    role: pos.role,
    subject: `${s.severity} ${s.report.kind} at ${s.report.site}: ${s.report.sku} needs a decision`,
    body: `${s.score?.explanation ?? ''} Decide by ${s.slaDeadlineLocal ?? s.slaDeadline}.`,
    idempotencyKey: `${s.caseId}:notify:${level}:${s.recounts.length}`,
  });
  await ctx.record();
}

/**
 * An approval is for the variance in force when it was given. New evidence that changed it (a
 * recount, books read at count time) voids the approvals collected so far: posting the first
 * approver's pre-recount quantity after a second approval would write the wrong correction.
 */
export function voidStaleApprovals(ctx: CaseContext): void {
  const s = ctx.state;
  const variance = s.observedQty - s.expectedQty;
  const stale = s.approvals.filter((a) => a.variance !== variance);
  if (stale.length === 0) return;
  s.approvals = s.approvals.filter((a) => a.variance === variance);
  ctx.audit('approvals_voided', 'system', 'reckon', {
    voided: stale.map((a) => ({ userId: a.userId, adjustQty: a.adjustQty, variance: a.variance ?? null })),
    variance,
    reason: 'the variance changed since these approvals were given',
  });
}

export async function awaitApproval(ctx: CaseContext, input: DiscrepancyWorkflowInput): Promise<'decided' | 'breached' | 'moved' | 'pattern_grew'> {
  const s = ctx.state;
  const ladder = caseLadder(ctx.policy!.document, s);
  const decided = await rest(
    ctx,
    input,
    () => ctx.decision !== undefined || s.status !== 'awaiting_approval' || ctx.patternUpdate !== undefined,
    () => (s.slaDeadline ? Date.parse(s.slaDeadline) : undefined),
    () => (s.slaDeadline ? `SLA: ${s.ownerRole}, ${ladder.rungs[s.escalationLevel]?.sla ?? '—'}` : `terminal: ${s.ownerRole} decides, stock held`),
  );
  if (!decided) return 'breached';
  if (ctx.decision) return 'decided';
  return ctx.patternUpdate ? 'pattern_grew' : 'moved';
}

/** SLA breached on the current rung: the next rung, or the ladder's terminal action. */
export async function escalate(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  const ladder = caseLadder(ctx.policy!.document, s);
  s.breached = true;
  ctx.audit('sla_breached', 'system', 'reckon', { rung: s.escalationLevel + 1, role: s.ownerRole });
  const next = s.escalationLevel + 1;
  if (next < ladder.rungs.length) {
    await enterApproval(ctx, next);
    return;
  }
  if (!patchedBeforeLocal(ctx, NO_DEAD_ENDS_PATCH)) {
    await terminalBeforePatch(ctx, next);
    return;
  }
  const terminal = ladder.terminal;
  const plan = terminalPlan(ladder);
  s.escalationLevel = next;
  s.ownerRole = terminal.role;
  s.slaDeadline = undefined;
  s.slaDeadlineLocal = undefined;
  s.rungStartedAt = nowIso();
  // the policy's rule for a decision made while the terminal action runs (docs/architecture.md)
  ctx.terminalRunning = plan.decisionsDuring === 'refuse';
  try {
    if (terminal.action === 'hold_and_page') await placeHold(ctx, 'escalation ladder exhausted');
    if (ctx.decision) return; // decision_wins: the decision is carried out instead
    await notify(ctx, {
      role: terminal.role,
      subject: `PAGE: ${s.report.kind} at ${s.report.site} (${s.report.sku}) passed every SLA`,
      body: `No decision after ${ladder.rungs.length} rungs. ${s.hold && !s.hold.released ? `The stock is held; ${terminal.role} decides.` : ''}`,
      idempotencyKey: `${s.caseId}:page`,
    });
  } finally {
    ctx.terminalRunning = false;
  }
  ctx.audit('terminal_action', 'system', 'reckon', { action: terminal.action, role: terminal.role, then: plan.then });
  if (ctx.decision) return;
  if (plan.then === 'stay_open') {
    // the held stock keeps an owner: the paged role decides, with no further SLA
    await ctx.record();
    return;
  }
  await finish(ctx, 'escalated_terminal', `no decision within the ladder; ${terminal.action} to ${terminal.role}, case closed`);
  await ctx.record();
}

/** The terminal rung as cases recorded before the no-dead-ends patch ran it (replay only). */
async function terminalBeforePatch(ctx: CaseContext, next: number): Promise<void> {
  const s = ctx.state;
  const ladder = caseLadder(ctx.policy!.document, s);
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
  await finish(ctx, 'escalated_terminal', `no decision within the ladder; ${terminal.action} to ${terminal.role}`);
  await ctx.record();
}

/**
 * Tells a role. A channel that keeps failing is recorded on the case and never holds it up
 * (cases recorded before the patch waited for the notification).
 */
export async function notify(ctx: CaseContext, n: { role: string; subject: string; body: string; idempotencyKey: string }): Promise<void> {
  const s = ctx.state;
  const msg = { ...n, site: s.report.site, caseId: s.caseId };
  if (!patchedBeforeLocal(ctx, NO_DEAD_ENDS_PATCH)) {
    await writes.notifyRole(msg);
    return;
  }
  try {
    await notifications.notifyRole(msg);
  } catch (err) {
    const e = err as Error & { cause?: Error };
    ctx.audit('notification_failed', 'system', 'reckon', { role: n.role, error: e.cause?.message ?? e.message });
  }
}

/**
 * A write was refused: the case waits for a person with the refusal in hand. `retry` runs the
 * refused step again (its writes carry the same idempotency keys); `resolve_manually` closes it.
 */
export async function needsAttention(ctx: CaseContext, err: WriteRefused): Promise<void> {
  const s = ctx.state;
  const step = ctx.decision ? 'carry_out' : s.status;
  s.attention = { step, write: err.write, error: err.reason, since: nowIso() };
  s.attentionResume = { status: s.status, decision: ctx.decision };
  ctx.decision = undefined;
  s.status = 'needs_attention';
  s.ownerRole = caseLadder(ctx.policy!.document, s).rungs[0].role;
  s.slaDeadline = undefined;
  s.slaDeadlineLocal = undefined;
  ctx.audit('write_refused', 'system', 'reckon', { write: err.write, error: err.reason, step, owner: s.ownerRole });
  await notify(ctx, {
    role: s.ownerRole,
    subject: `ATTENTION: ${s.report.kind} at ${s.report.site} (${s.report.sku}): ${err.write} was refused`,
    body: `${err.reason}. Retry once the system is fixed, or resolve the case manually with a reason.`,
    idempotencyKey: `${s.caseId}:attention:${s.seq}`,
  });
  await ctx.record();
}

/** Patch id: a pattern report that comes while the case needs attention updates and re-scores it. */
export const PATTERN_GROWS_IN_ATTENTION_PATCH = 'pattern-grows-in-attention';

/** Waits for a person's retry or manual resolution; 'pattern_grew' when a pattern report changed the case meanwhile. */
export async function awaitAttention(ctx: CaseContext, input: DiscrepancyWorkflowInput): Promise<'pattern_grew' | void> {
  const s = ctx.state;
  // a pattern that grows while a person looks at a refused write: the case takes its new size (patched)
  const grows = patched(PATTERN_GROWS_IN_ATTENTION_PATCH);
  await rest(ctx, input, () => ctx.attentionAction !== undefined || (grows && ctx.patternUpdate !== undefined), () => undefined, () => `needs attention: ${s.attention?.write ?? 'a write'} refused; ${s.ownerRole} retries or resolves`);
  if (ctx.attentionAction === undefined) return 'pattern_grew';
  const action = ctx.attentionAction;
  ctx.attentionAction = undefined;
  if (action.kind === 'retry') {
    const resume = s.attentionResume ?? { status: 'auto_resolving' as const };
    s.status = resume.status;
    ctx.decision = resume.decision;
    s.attention = undefined;
    s.attentionResume = undefined;
    await ctx.record();
    return;
  }
  try {
    await releaseHold(ctx, 'user', action.userId);
  } catch (e) {
    if (!(e instanceof WriteRefused)) throw e;
    // the WMS will not release it either: the person who resolved the case owns the hold now
    ctx.audit('hold_handed_over', 'user', action.userId, { holdId: s.hold?.holdId, owner: action.userId, error: e.reason });
    if (s.hold) s.hold.released = true;
  }
  s.resolutionCode = action.reasonCode;
  s.attention = undefined;
  s.attentionResume = undefined;
  await finish(ctx, 'resolved_manually', `resolved manually by ${action.userId}: ${action.reasonCode} — ${action.comment}`, { kind: 'user', id: action.userId });
  await ctx.record();
}

