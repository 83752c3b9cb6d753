import type { Actor, CaseState } from './case';
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

export function coversSite(actor: Actor, site: string): boolean {
  return actor.sites.includes('*') || actor.sites.includes(site);
}

/** Roles that read (viewer) or report (integration) only: no approver action, comments included. */
export const NON_APPROVER_ROLES: readonly string[] = ['viewer', 'integration'];

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

/** Checks for approve and reject: state, segregation of duties, limits, four eyes. */
export function checkDecision(
  policy: PolicyDocument,
  state: CaseState,
  actor: Actor,
  action: 'approve' | 'reject',
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
    const value = state.assessment?.valueAtRisk ?? 0;
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
export function recountRefusal(state: Pick<CaseState, 'status' | 'report'>): string | null {
  if (state.status !== 'awaiting_approval') return `case is ${state.status}, not awaiting approval`;
  if (state.report.kind === 'transfer_delay') return 'counting cannot settle a transfer in flight: the stock is between sites; wait for the receipt or reject';
  if (!state.report.location) return 'a recount needs a location, and this case has none';
  return null;
}
