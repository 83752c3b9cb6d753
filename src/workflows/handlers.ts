import { ApplicationFailure, patched, setHandler } from '@temporalio/workflow';
import {
  approvalLimit,
  approvalsRequiredFor,
  caseActionRefusal,
  coversSite,
  hasApproverRole,
  COMMENTS_KEPT,
  defaultAdjustment,
  keepLast,
  caseLadder,
  positionOn,
  reasonCodeRefusal,
  Refusal,
  slaDeadline,
  SOURCE_EVENT_IDS_KEPT,
  type Actor,
  type ApprovalAsk,
  type CaseState,
} from '../domain/core';
import { records } from './activity-proxies';
import { requireVerifiedActor } from './actor-check';
import { nowIso, type CaseContext } from './case-context';
import { takeCountResult } from './count-results';
import { PATTERN_GROWS_PATCH, PATTERN_KINDS } from './pattern-growth';
import {
  adoptHoldSignal,
  approveUpdate,
  assignUpdate,
  commentUpdate,
  countResultSignal,
  evidenceSignal,
  progressQuery,
  recountUpdate,
  REFUSAL_FAILURE_TYPES,
  rejectUpdate,
  repinPolicyUpdate,
  reportSignal,
  resolveManuallyUpdate,
  retryUpdate,
  stateQuery,
  type DiscrepancyWorkflowInput,
  type ReportSignalInput,
  type UpdateResult,
} from './messages';

/** Patch id of "a report naming only known source events is a redelivery, not an occurrence". */
export const REDELIVERED_REPORT_PATCH = 'report-redelivery-not-counted';

function refuse(r: Refusal): never {
  throw ApplicationFailure.create({ type: REFUSAL_FAILURE_TYPES[r.kind], message: r.message, nonRetryable: true, details: [{ code: r.code }] });
}

function conflict(message: string): never {
  throw ApplicationFailure.create({ type: REFUSAL_FAILURE_TYPES.conflict, message, nonRetryable: true, details: [{ code: 'state' }] });
}

function forbidden(message: string): never {
  throw ApplicationFailure.create({ type: REFUSAL_FAILURE_TYPES.forbidden, message, nonRetryable: true, details: [{ code: 'site_scope' }] });
}

/** Updates before the policy is pinned, or while a decision is being carried out, are refused. */
function requireSettled(ctx: CaseContext): NonNullable<CaseContext['policy']> {
  if (ctx.state.status === 'closed') conflict(`case is closed (${ctx.state.resolution})`);
  if (!ctx.policy || !ctx.state.severity) conflict(`case is still being assessed (${ctx.state.status})`);
  if (ctx.decision) conflict(`a ${ctx.decision.kind} decision by ${ctx.decision.userId} is being carried out`);
  if (ctx.terminalRunning) conflict('the escalation ladder is exhausted and its terminal action is running; the policy refuses decisions until it has run');
  return ctx.policy;
}

function result(ctx: CaseContext, outcome: string): UpdateResult {
  const s = ctx.state;
  return {
    status: s.status,
    outcome,
    approvalsGiven: s.approvals.length,
    approvalsRequired: ctx.policy ? approvalsRequiredFor(ctx.policy.document, s) : 1,
  };
}

function markFirstAction(s: CaseState): void {
  s.firstActionAt ??= nowIso();
}

/**
 * Registers every signal, update and query before the workflow's first await. Handlers only
 * change state and queue audit entries; the main loop does the I/O. Each group below is one
 * kind of thing that reaches a case: what the systems say, what people ask, what operators read.
 */
export function registerHandlers(ctx: CaseContext, input: DiscrepancyWorkflowInput): void {
  registerReportSignal(ctx, input);
  registerFieldSignals(ctx);
  registerQueries(ctx);
  registerDecisionUpdates(ctx);
  registerWorkUpdates(ctx);
  registerAttentionHandlers(ctx);
  registerRepin(ctx);
}

/** A later report of the same discrepancy: one more occurrence (or a redelivery, recorded only). */
function registerReportSignal(ctx: CaseContext, input: DiscrepancyWorkflowInput): void {
  // signalWithStart delivers the starting report as the first signal too: don't count it twice
  let startSignalPending = input.carried === undefined;

  setHandler(reportSignal, (signal) => ctx.whenOpened(() => mergeReport(signal)));
  function mergeReport({ report, receivedAt }: ReportSignalInput): void {
    const s = ctx.state;
    if (startSignalPending && receivedAt === input.receivedAt) {
      startSignalPending = false;
      return;
    }
    startSignalPending = false;
    const fresh = report.sourceEventIds.filter((id) => !s.sourceEventIds.includes(id));
    // a redelivered report (queue redelivery, a publisher's retry) names only source events the
    // case already has: record it, don't count it. Behind a patch: older histories counted it.
    if (report.sourceEventIds.length > 0 && fresh.length === 0 && (ctx.oneTask || patched(REDELIVERED_REPORT_PATCH))) {
      ctx.audit('report_redelivered', 'system', report.source, { sourceEventIds: report.sourceEventIds, receivedAt });
      ctx.dirty = true;
      return;
    }
    s.occurrences += 1;
    s.sourceEventCount = (s.sourceEventCount ?? s.sourceEventIds.length) + fresh.length;
    s.sourceEventIds.push(...fresh);
    // bounded: the state rides in every record and continue-as-new; the read model has every id
    keepLast(s.sourceEventIds, SOURCE_EVENT_IDS_KEPT);
    ctx.newSourceEventIds.push(...fresh);
    for (const u of report.causedBy) {
      if (!s.involvedUsers.includes(u)) s.involvedUsers.push(u);
      (s.involvement ??= {})[u] ??= 'is named in a report of this discrepancy';
    }
    // a shrink or drift pattern's later report is its size now: the main loop updates and re-scores the case (patched: older histories only merged)
    if (PATTERN_KINDS.has(report.kind) && s.status !== 'closed' && (report.expectedQty !== s.expectedQty || report.observedQty !== s.observedQty) && (ctx.oneTask || patched(PATTERN_GROWS_PATCH))) {
      ctx.patternUpdate = { expectedQty: report.expectedQty, observedQty: report.observedQty, source: report.source, receivedAt };
    }
    ctx.audit('report_merged', 'system', report.source, {
      occurrences: s.occurrences,
      observedQty: report.observedQty,
      newSourceEventIds: fresh.slice(0, SOURCE_EVENT_IDS_KEPT),
      receivedAt,
      // it came while the case was closing: recorded on this case, which the final record carries
      ...(s.status === 'closed' ? { afterClose: true } : {}),
    });
    ctx.dirty = true;
  }
}

/** What the floor and the watchers tell a case: a count result, a note, a hold handed over. */
function registerFieldSignals(ctx: CaseContext): void {
  setHandler(countResultSignal, (c) => ctx.whenOpened(() => takeCountResult(ctx, c)));

  setHandler(evidenceSignal, (e) => ctx.whenOpened(() => {
    const s = ctx.state;
    if (s.evidence) {
      (s.evidence.notes ??= []).push(e);
      keepLast(s.evidence.notes, COMMENTS_KEPT); // every note is in the audit log
    }
    ctx.audit('evidence_added', 'system', e.from, { text: e.text });
    ctx.dirty = true;
  }));

  setHandler(adoptHoldSignal, (h) => ctx.whenOpened(() => {
    const s = ctx.state;
    if (s.hold && !s.hold.released) {
      ctx.audit('hold_adoption_declined', 'system', h.from, { holdId: h.holdId, reason: `the case already holds ${s.hold.holdId}` });
    } else {
      s.hold = { holdId: h.holdId, qty: h.qty, released: false };
      ctx.audit('hold_adopted', 'system', h.from, { holdId: h.holdId, qty: h.qty });
    }
    ctx.dirty = true;
  }));
}

/** What operators and the API read: the state, and the cheap progress of a running case. */
function registerQueries(ctx: CaseContext): void {
  setHandler(stateQuery, (q) => {
    const s = ctx.state;
    return q?.withEvidence ? s : { ...s, evidence: undefined };
  });

  setHandler(progressQuery, () => ({
    status: ctx.state.status,
    seq: ctx.state.seq,
    ...(ctx.decision ? { decisionInProgress: { kind: ctx.decision.kind, userId: ctx.decision.userId } } : {}),
  }));
}

/**
 * The first check of every settled action's validator: the actor is the API's word, the case can
 * take decisions now, and the one rule set of case actions (domain/case-actions.ts) allows it.
 */
function requireAllowed(ctx: CaseContext, action: 'approve' | 'reject' | 'recount' | 'assign', u: { actor: Actor }, ask: ApprovalAsk = {}): NonNullable<CaseContext['policy']> {
  requireVerifiedActor(u);
  const policy = requireSettled(ctx);
  const r = caseActionRefusal(action, policy.document, ctx.state, u.actor, ask);
  if (r) refuse(r);
  return policy;
}

/** The decisions people take on a case waiting for them: approve, reject, ask for a recount. */
function registerDecisionUpdates(ctx: CaseContext): void {
  setHandler(
    approveUpdate,
    (u) => {
      const s = ctx.state;
      const variance = s.observedQty - s.expectedQty;
      const adjustQty = u.adjustQty ?? defaultAdjustment(s);
      const role = approvalLimit(ctx.policy!.document, s, u.actor)?.role ?? u.actor.roles[0];
      s.approvals.push({ userId: u.actor.userId, role, adjustQty, reasonCode: u.reasonCode, comment: u.comment, at: nowIso(), variance });
      markFirstAction(s);
      ctx.audit('approved', 'user', u.actor.userId, { adjustQty, reasonCode: u.reasonCode, comment: u.comment, roles: u.actor.roles });
      const needed = approvalsRequiredFor(ctx.policy!.document, s);
      if (s.approvals.length >= needed) {
        ctx.decision = { kind: 'approve', userId: u.actor.userId, reasonCode: u.reasonCode, comment: u.comment, adjustQty: s.approvals[0].adjustQty };
        const posted = s.approvals[0].adjustQty;
        return result(ctx, posted === 0 ? 'approved; no adjustment to post' : `approved; adjustment of ${posted} is being posted`);
      }
      ctx.dirty = true;
      return result(ctx, `approval ${s.approvals.length} of ${needed} recorded; a different approver must also approve`);
    },
    {
      validator: (u) => {
        const policy = requireAllowed(ctx, 'approve', u, u);
        const code = reasonCodeRefusal(policy.document, ctx.state.report.kind, 'approve', u.reasonCode, u.comment);
        if (code) refuse(code);
        const first = ctx.state.approvals[0];
        if (first && u.adjustQty !== undefined && u.adjustQty !== first.adjustQty) {
          throw ApplicationFailure.create({
            type: REFUSAL_FAILURE_TYPES.refused,
            message: `adjustQty ${u.adjustQty} differs from the first approval (${first.adjustQty}); reject instead to change it`,
            nonRetryable: true,
          });
        }
      },
    },
  );

  setHandler(
    rejectUpdate,
    (u) => {
      markFirstAction(ctx.state);
      ctx.audit('rejected', 'user', u.actor.userId, { reasonCode: u.reasonCode, comment: u.comment, roles: u.actor.roles });
      ctx.decision = { kind: 'reject', userId: u.actor.userId, reasonCode: u.reasonCode, comment: u.comment };
      return result(ctx, 'rejected; the case closes with no change');
    },
    {
      validator: (u) => {
        const policy = requireAllowed(ctx, 'reject', u);
        const code = reasonCodeRefusal(policy.document, ctx.state.report.kind, 'reject', u.reasonCode, u.comment);
        if (code) refuse(code);
      },
    },
  );

  setHandler(
    recountUpdate,
    (u) => {
      markFirstAction(ctx.state);
      ctx.audit('recount_requested', 'user', u.actor.userId, { comment: u.comment });
      ctx.decision = { kind: 'recount', userId: u.actor.userId, comment: u.comment };
      return result(ctx, 'a count task is being created');
    },
    {
      validator: (u) => {
        requireAllowed(ctx, 'recount', u);
      },
    },
  );
}

/** Working a case without deciding it: who has it, and what people say on it. */
function registerWorkUpdates(ctx: CaseContext): void {
  setHandler(
    assignUpdate,
    (u) => {
      ctx.state.assignee = u.assignee;
      markFirstAction(ctx.state);
      ctx.audit(u.assignee === u.actor.userId ? 'claimed' : 'assigned', 'user', u.actor.userId, { assignee: u.assignee });
      ctx.dirty = true;
      return result(ctx, `assigned to ${u.assignee}`);
    },
    {
      validator: (u) => {
        requireAllowed(ctx, 'assign', u);
      },
    },
  );

  setHandler(
    commentUpdate,
    (u) => {
      const at = nowIso();
      // during the opening task it waits for the opening's first record, as a signal does
      // (CaseContext.openingTask): its entry follows the opening's, and the approver is not refused
      ctx.whenOpened(() => {
        ctx.state.comments.push({ userId: u.actor.userId, text: u.text, at });
        keepLast(ctx.state.comments, COMMENTS_KEPT); // every comment is in the audit log
        ctx.audit('commented', 'user', u.actor.userId, { text: u.text });
        ctx.dirty = true;
      });
      return result(ctx, 'comment recorded');
    },
    {
      validator: (u) => {
        requireVerifiedActor(u);
        if (!coversSite(u.actor as Actor, ctx.state.report.site)) forbidden(`${u.actor.userId} has no access to site ${ctx.state.report.site}`);
        // the API's rule too: viewers and integrations do not comment (a client may bypass the API)
        if (!hasApproverRole(u.actor)) refuse(new Refusal('forbidden', 'role', `commenting needs an approver role; ${u.actor.userId} has ${u.actor.roles.join(', ') || 'no roles'}`));
        if (ctx.state.status === 'closed') conflict('case is closed');
        if (!u.text || u.text.length > 4000) conflict('comment text must be 1..4000 characters');
      },
    },
  );
}

/** needs_attention: retry the refused write, or resolve the case manually with a reason. */
function registerAttentionHandlers(ctx: CaseContext): void {
  const validate = (u: { actor: Actor }, action: 'retry' | 'resolve_manually') => {
    requireVerifiedActor(u);
    if (!ctx.policy) conflict(`case is still being assessed (${ctx.state.status})`);
    const r = caseActionRefusal(action, ctx.policy.document, ctx.state, u.actor);
    if (r) refuse(r);
    if (ctx.attentionAction) conflict(`a ${ctx.attentionAction.kind} by ${ctx.attentionAction.userId} is being carried out`);
  };
  setHandler(
    retryUpdate,
    (u) => {
      markFirstAction(ctx.state);
      ctx.audit('retry_requested', 'user', u.actor.userId, { write: ctx.state.attention?.write, comment: u.comment });
      ctx.attentionAction = { kind: 'retry', userId: u.actor.userId, comment: u.comment };
      return result(ctx, `retrying: ${ctx.state.attention?.write ?? 'the refused write'}`);
    },
    { validator: (u) => validate(u, 'retry') },
  );
  setHandler(
    resolveManuallyUpdate,
    (u) => {
      markFirstAction(ctx.state);
      ctx.audit('resolved_manually', 'user', u.actor.userId, { reasonCode: u.reasonCode, comment: u.comment, write: ctx.state.attention?.write });
      ctx.attentionAction = { kind: 'resolve_manually', userId: u.actor.userId, reasonCode: u.reasonCode, comment: u.comment };
      return result(ctx, 'resolved manually; the case closes and its hold is released');
    },
    {
      validator: (u) => {
        validate(u, 'resolve_manually');
        if (!u.comment || !u.comment.trim()) refuse(new Refusal('refused', 'reason', 'a manual resolution needs a comment saying what was done'));
        const r = reasonCodeRefusal(ctx.policy!.document, ctx.state.report.kind, 'resolve_manually', u.reasonCode, u.comment);
        if (r) refuse(r);
      },
    },
  );
}

/**
 * An admin moves an open case to another policy version (a case keeps the version it opened
 * with otherwise). The current rung's SLA is counted again from when the rung began.
 */
function registerRepin(ctx: CaseContext): void {
  setHandler(
    repinPolicyUpdate,
    async (u) => {
      const s = ctx.state;
      const pinned = await records.loadPolicyVersion(u.version, s.report.site, s.report.kind);
      const from = s.policyVersion;
      ctx.policy = pinned;
      s.policyVersion = pinned.version;
      if (pinned.layer) s.policyLayer = pinned.layer;
      else delete s.policyLayer;
      if (s.status === 'awaiting_approval' && s.severity) {
        const ladder = caseLadder(pinned.document, s);
        const level = Math.min(s.escalationLevel, ladder.rungs.length);
        const pos = positionOn(ladder, level);
        s.escalationLevel = level;
        s.ownerRole = pos.role;
        const began = s.rungStartedAt ? Date.parse(s.rungStartedAt) : Date.now();
        const due = pos.exhausted ? undefined : slaDeadline(pinned.document, s.report.site, began, pos.slaMs);
        s.slaDeadline = due ? new Date(due.at).toISOString() : undefined;
        s.slaDeadlineLocal = due?.local;
      }
      ctx.audit('policy_repinned', 'user', u.actor.userId, { from, to: pinned.version, ...(pinned.layer ? { layer: pinned.layer } : {}), reason: u.reason, slaDeadline: s.slaDeadline ?? null });
      ctx.dirty = true;
      return result(ctx, `policy version ${from} → ${pinned.version}${s.slaDeadline ? `; SLA due ${s.slaDeadline}` : ''}`);
    },
    {
      validator: (u) => {
        requireVerifiedActor(u);
        if (!u.actor.roles.includes('admin')) forbidden(`re-pinning a case's policy needs the admin role; ${u.actor.userId} has ${u.actor.roles.join(', ') || 'no roles'}`);
        if (!coversSite(u.actor as Actor, ctx.state.report.site)) forbidden(`${u.actor.userId} has no access to site ${ctx.state.report.site}`);
        requireSettled(ctx);
        if (!Number.isInteger(u.version) || u.version < 1) conflict('version must be a positive integer');
        if (u.version === ctx.state.policyVersion) conflict(`the case is already on policy version ${u.version}`);
        if (!u.reason || !u.reason.trim()) refuse(new Refusal('refused', 'reason', 're-pinning needs a reason'));
      },
    },
  );
}
