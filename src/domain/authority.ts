import type { Actor, ActorProof, CaseState } from './case';
import { caseLadder, rolesAtOrAbove } from './ladder';
import type { PolicyDocument } from './policy';

/**
 * Why an approver action is refused. `forbidden` (wrong role or site → 403), `conflict`
 * (the case is not in a state that takes it → 409), `refused` (a rule such as segregation of
 * duties or an approval limit → 422).
 */
export type RefusalKind = 'forbidden' | 'conflict' | 'refused';
export class Refusal {
  constructor(
    readonly kind: RefusalKind,
    readonly code: string,
    readonly message: string,
  ) {}
}

/**
 * Whether an update input's actor is the API's word: the worker's codec marked it verified (the
 * signature holds) and the proof was made for this workflow, this update and this update id, so
 * a signed input cannot be replayed elsewhere.
 */
export function checkActorProof(input: unknown, binding: { workflowId: string; update: string; updateId: string }): Refusal | null {
  const i = (typeof input === 'object' && input !== null ? input : {}) as { actor?: Partial<Actor>; proof?: Partial<ActorProof> };
  const who = typeof i.actor?.userId === 'string' ? i.actor.userId : 'the sender';
  if (i.actor?.verified !== true) return new Refusal('forbidden', 'unverified_actor', `the actor ${who} is not signed by the API`);
  const p = i.proof;
  if (p?.workflowId !== binding.workflowId || p.update !== binding.update || p.updateId !== binding.updateId) {
    return new Refusal('forbidden', 'unverified_actor', `the actor's proof was made for another case or action`);
  }
  return null;
}

export function coversSite(actor: Actor, site: string): boolean {
  return actor.sites.includes('*') || actor.sites.includes(site);
}

/** Roles that read (viewer) or report (integration) only: no approver action, comments included. */
export const NON_APPROVER_ROLES: readonly string[] = ['viewer', 'integration'];

/** Roles that exist under a policy: its ladders' and approval limits' roles, and the fixed ones. */
export function knownRoles(policy: PolicyDocument): string[] {
  const roles = new Set(['admin', ...NON_APPROVER_ROLES, ...Object.keys(policy.approval.limits)]);
  for (const ladder of Object.values(policy.ladders)) {
    for (const rung of ladder.rungs) roles.add(rung.role);
    roles.add(ladder.terminal.role);
  }
  return [...roles].sort();
}

/** Whether the actor holds any approver role; which one may decide a case is the ladder's business. */
export function hasApproverRole(actor: Pick<Actor, 'roles'>): boolean {
  return actor.roles.some((r) => !NON_APPROVER_ROLES.includes(r));
}

/** Roles of the actor that may act on the case at its current rung. */
export function actingRoles(policy: PolicyDocument, state: CaseState, actor: Actor): string[] {
  const ladder = caseLadder(policy, state);
  const allowed = new Set([...rolesAtOrAbove(ladder, state.escalationLevel), 'admin']);
  return actor.roles.filter((r) => allowed.has(r));
}

/** Shared checks for every approver action: site scope, role on the ladder, open state. */
export function checkCanAct(policy: PolicyDocument, state: CaseState, actor: Actor, action: string): Refusal | null {
  if (!coversSite(actor, state.report.site)) {
    return new Refusal('forbidden', 'site_scope', `${actor.userId} has no access to site ${state.report.site}`);
  }
  if (actingRoles(policy, state, actor).length === 0) {
    const ladder = caseLadder(policy, state);
    return new Refusal(
      'forbidden',
      'role',
      `${action} needs one of ${rolesAtOrAbove(ladder, state.escalationLevel).join(', ')}; ${actor.userId} has ${actor.roles.join(', ') || 'no roles'}`,
    );
  }
  if (state.status === 'closed') return new Refusal('conflict', 'closed', `case is closed (${state.resolution})`);
  return null;
}

/** The highest approval limit among the roles the actor may use here. */
export function approvalLimit(policy: PolicyDocument, state: CaseState, actor: Actor): { role: string; limit: number } | null {
  let best: { role: string; limit: number } | null = null;
  for (const role of actingRoles(policy, state, actor)) {
    const limit = role === 'admin' ? Infinity : policy.approval.limits[role];
    if (limit !== undefined && (best === null || limit > best.limit)) best = { role, limit };
  }
  return best;
}

/** What an approval asks to post; a comment is the reason a policy's adjustCap requires. */
export interface ApprovalAsk {
  adjustQty?: number;
  comment?: string;
}

/**
 * Kinds whose quantities size a pattern of movements the books already hold (unexplained losses
 * adjusted out by one user, count variances drifting one way), not the books against a shelf.
 * Approving one confirms its cause: posting the variance would put the lost stock back.
 */
const BOOKED_PATTERN_KINDS: ReadonlySet<string> = new Set(['shrink_pattern', 'drift']);

export function isBookedPattern(kind: string): boolean {
  return BOOKED_PATTERN_KINDS.has(kind);
}

/** What an approval that names no quantity posts: the variance in force, or nothing for a booked pattern. */
export function defaultAdjustment(state: Pick<CaseState, 'report' | 'observedQty' | 'expectedQty'>): number {
  return isBookedPattern(state.report.kind) ? 0 : state.observedQty - state.expectedQty;
}

/** The adjustment an approval posts: its own, else the first approval's, else the default. */
export function adjustmentToPost(state: CaseState, adjustQty?: number): number {
  return adjustQty ?? state.approvals[0]?.adjustQty ?? defaultAdjustment(state);
}

/**
 * The value an approval is judged by: what will be posted (|adjustQty| × unit cost), or the
 * detected value at risk when that is larger, so neither can be used to slip under a limit.
 */
export function decisionValue(state: CaseState, adjustQty?: number): number {
  const posted = Math.abs(adjustmentToPost(state, adjustQty)) * state.report.unitCost;
  return Math.max(state.assessment?.valueAtRisk ?? 0, posted);
}

/** Approvals the case needs now: judged by the first approval's adjustment once one was given. */
export function approvalsRequiredFor(policy: PolicyDocument, state: CaseState): number {
  return approvalsRequired(policy, decisionValue(state));
}

const EPSILON = 1e-9;

/**
 * An adjustment stays within the variance in force (same direction, no larger); beyond it only
 * up to the policy's adjustCap and with a comment saying why.
 */
export function checkAdjustment(policy: PolicyDocument, state: CaseState, ask: ApprovalAsk): Refusal | null {
  const qty = adjustmentToPost(state, ask.adjustQty);
  const variance = state.observedQty - state.expectedQty;
  // a booked pattern's variance is its size, not a direction on the books: either way, up to its size
  const sameWay = qty === 0 || Math.sign(qty) === Math.sign(variance) || isBookedPattern(state.report.kind);
  const withinVariance = Math.abs(qty) <= Math.abs(variance) + EPSILON && sameWay;
  if (withinVariance) return null;
  const cap = policy.approval.adjustCap;
  if (cap === undefined) {
    return new Refusal('refused', 'adjust_qty', `adjustQty ${qty} is outside the variance in force (${variance}); the policy allows no larger or reversed adjustment`);
  }
  if (Math.abs(qty) > cap + EPSILON) {
    return new Refusal('refused', 'adjust_qty', `adjustQty ${qty} exceeds the policy's adjustment cap of ${cap} units (variance in force ${variance})`);
  }
  // a second approver agreeing with the first approval's quantity agrees with its reason too
  const reason = ask.comment ?? (ask.adjustQty === undefined ? state.approvals[0]?.comment : undefined);
  if (!reason?.trim()) {
    return new Refusal('refused', 'adjust_qty', `adjustQty ${qty} is outside the variance in force (${variance}): a comment must say why`);
  }
  return null;
}

/** Checks for approve and reject: state, segregation of duties, adjustment bound, limits, four eyes. */
export function checkDecision(
  policy: PolicyDocument,
  state: CaseState,
  actor: Actor,
  action: 'approve' | 'reject',
  ask: ApprovalAsk = {},
): Refusal | null {
  const base = checkCanAct(policy, state, actor, action);
  if (base) return base;
  if (state.status !== 'awaiting_approval') {
    return new Refusal('conflict', 'state', `case is ${state.status}, not awaiting approval`);
  }
  if (policy.segregationOfDuties && state.involvedUsers.includes(actor.userId)) {
    return new Refusal(
      'refused',
      'segregation_of_duties',
      state.involvement?.[actor.userId]
        ? `${actor.userId} ${state.involvement[actor.userId]} and may not decide this discrepancy`
        : `${actor.userId} took part in the transactions or counts behind this discrepancy and may not decide it`,
    );
  }
  if (action === 'approve') {
    const bound = checkAdjustment(policy, state, ask);
    if (bound) return bound;
    const value = decisionValue(state, ask.adjustQty);
    const limit = approvalLimit(policy, state, actor);
    if (!limit) return new Refusal('forbidden', 'role', `${actor.userId} has no approval limit here`);
    if (value > limit.limit) {
      return new Refusal('refused', 'approval_limit', `value ${value} exceeds the ${limit.role} limit of ${limit.limit}`);
    }
    if (state.approvals.some((a) => a.userId === actor.userId)) {
      return new Refusal('refused', 'four_eyes', `${actor.userId} has already approved; a different approver is required`);
    }
  }
  return null;
}

/** Approvals still needed: two different people above the four-eyes value, else one. */
export function approvalsRequired(policy: PolicyDocument, valueAtRisk: number): number {
  return valueAtRisk > policy.approval.fourEyesAbove ? 2 : 1;
}

/**
 * Why a person may not ask for a recount of this case, or null. Counting settles what is on a
 * shelf; a transfer in flight is between sites, and a pattern across bins has no one shelf.
 */
const PATTERN_KINDS: ReadonlySet<string> = new Set(['shrink_pattern', 'drift', 'mis_scan']);

export function recountRefusal(state: Pick<CaseState, 'status' | 'report'>): string | null {
  if (state.status !== 'awaiting_approval') return `case is ${state.status}, not awaiting approval`;
  if (state.report.kind === 'transfer_delay') return 'counting cannot settle a transfer in flight: the stock is between sites; wait for the receipt or reject';
  if (!state.report.location) {
    return PATTERN_KINDS.has(state.report.kind)
      ? 'this pattern spans many bins (one user or one shift), so no single count can settle it; investigate, then approve or reject'
      : 'a recount needs a location, and this case has none (neither the report nor the event that caused it named one)';
  }
  return null;
}
