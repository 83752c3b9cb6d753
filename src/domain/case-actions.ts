import { checkCanAct, checkDecision, coversSite, hasApproverRole, recountRefusal, Refusal, type ApprovalAsk } from './authority';
import type { Actor, CaseState } from './case';
import type { PolicyDocument } from './policy';

/**
 * The one definition of what a person can do to a case: the API's routes
 * (`/v1/discrepancies/{id}/<path>`), the workflow's update validators and the inbox's buttons
 * all come from it. `who` is the role check the API makes before asking the workflow; `needs`
 * the case status the action takes; `caseActionRefusal` the full rule, applied by the workflow
 * and shown by the inbox (so a button is enabled exactly when the update would be accepted).
 */
export const CASE_ACTIONS = {
  approve: { path: 'approve', who: 'approver', needs: 'awaiting_approval' },
  reject: { path: 'reject', who: 'approver', needs: 'awaiting_approval' },
  recount: { path: 'recount', who: 'approver', needs: 'awaiting_approval' },
  assign: { path: 'assign', who: 'approver', needs: 'open' },
  comment: { path: 'comments', who: 'approver', needs: 'open' },
  retry: { path: 'retry', who: 'approver', needs: 'needs_attention' },
  resolve_manually: { path: 'resolve-manually', who: 'approver', needs: 'needs_attention' },
  repin: { path: 'repin', who: 'admin', needs: 'open' },
} as const satisfies Record<string, { path: string; who: 'approver' | 'admin'; needs: 'open' | 'awaiting_approval' | 'needs_attention' }>;

export type CaseActionName = keyof typeof CASE_ACTIONS;
export const CASE_ACTION_NAMES = Object.keys(CASE_ACTIONS) as CaseActionName[];

const rolesOf = (actor: Actor) => actor.roles.join(', ') || 'no roles';

/**
 * Why `actor` may not take `action` on the case now, or null: site, role, segregation of duties,
 * limits, four eyes and the status the action needs. (What an action's own input must hold —
 * a repin's version, a comment's text — stays with the one that reads it.)
 */
export function caseActionRefusal(action: CaseActionName, policy: PolicyDocument, state: CaseState, actor: Actor, ask: ApprovalAsk = {}): Refusal | null {
  switch (action) {
    case 'approve':
    case 'reject':
      return checkDecision(policy, state, actor, action, ask);
    case 'recount': {
      const why = checkCanAct(policy, state, actor, 'recount');
      if (why) return why;
      const notNow = recountRefusal(state);
      return notNow ? new Refusal('conflict', 'state', notNow) : null;
    }
    case 'assign':
      return checkCanAct(policy, state, actor, 'assign');
    case 'comment':
      if (!coversSite(actor, state.report.site)) return new Refusal('forbidden', 'site_scope', `${actor.userId} has no access to site ${state.report.site}`);
      // viewers and integrations do not comment (a client may bypass the API)
      if (!hasApproverRole(actor)) return new Refusal('forbidden', 'role', `commenting needs an approver role; ${actor.userId} has ${rolesOf(actor)}`);
      return state.status === 'closed' ? new Refusal('conflict', 'closed', 'case is closed') : null;
    case 'retry':
    case 'resolve_manually': {
      const why = checkCanAct(policy, state, actor, action);
      if (why) return why;
      return state.status !== 'needs_attention' ? new Refusal('conflict', 'state', `case is ${state.status}, not needs_attention`) : null;
    }
    case 'repin':
      if (!actor.roles.includes('admin')) return new Refusal('forbidden', 'role', `re-pinning a case's policy needs the admin role; ${actor.userId} has ${rolesOf(actor)}`);
      if (!coversSite(actor, state.report.site)) return new Refusal('forbidden', 'site_scope', `${actor.userId} has no access to site ${state.report.site}`);
      return state.status === 'closed' ? new Refusal('conflict', 'closed', `case is closed (${state.resolution})`) : null;
  }
}
