import {
  caseActionRefusal,
  type Actor,
  type CaseActionName,
  type CaseState,
  type PolicyDocument,
} from '../domain';

export const PAGE_ACTIONS = ['approve', 'reject', 'recount', 'claim', 'reassign', 'comment', 'retry', 'resolve-manually'] as const;
export type PageAction = (typeof PAGE_ACTIONS)[number];

/** For each action: null when the person may take it now, else why not, in words. */
export type Permissions = Record<PageAction, string | null>;

/** Plain words for the person reading, from the refusal codes of src/domain/authority.ts. */
function because(code: string, message: string, actor: Actor): string {
  switch (code) {
    case 'segregation_of_duties':
      return `You took part in this discrepancy (you counted this bin or moved this stock), so someone else must decide it.`;
    case 'four_eyes':
      return 'You have already approved; a second, different approver must approve too.';
    case 'approval_limit':
      return `Above your approval limit: ${message}.`;
    case 'site_scope':
      return `You have no access to this site.`;
    case 'role':
      return `Not your role at this step: ${message.replace(`; ${actor.userId} has`, '; you have')}.`;
    case 'closed':
      return `The case is closed.`;
    case 'state':
      return message.charAt(0).toUpperCase() + message.slice(1).replace(/_/g, ' ') + '.';
    default:
      return message.charAt(0).toUpperCase() + message.slice(1) + '.';
  }
}

/**
 * What the person may do now, by the same rules the workflow's update validators apply
 * (caseActionRefusal), so a button is enabled exactly when the update would be accepted.
 */
export function permissionsFor(policy: PolicyDocument | null, state: CaseState | null, actor: Actor, unavailable: string): Permissions {
  const all = (why: string): Permissions => ({ approve: why, reject: why, recount: why, claim: why, reassign: why, comment: why, retry: why, 'resolve-manually': why });
  if (!state) return all(unavailable);
  if (state.status === 'closed') return all('The case is closed.');
  if (!policy) return all('The case has not settled its policy yet; try again in a moment.');
  const r = (refusal: { code: string; message: string } | null) => (refusal ? because(refusal.code, refusal.message, actor) : null);
  // the workflow's validators apply the same rules (caseActionRefusal)
  const refusal = (action: CaseActionName) => caseActionRefusal(action, policy, state, actor);
  const may = (action: CaseActionName) => r(refusal(action));
  // a write the WMS/ERP refused: only such a case takes retry and resolve-manually
  const attention = (action: CaseActionName) =>
    refusal(action)?.code === 'state' ? 'Only a case whose write was refused (needs attention) takes this.' : may(action);
  const assign = may('assign');
  return {
    retry: attention('retry'),
    'resolve-manually': attention('resolve_manually'),
    approve: may('approve'),
    reject: may('reject'),
    recount: may('recount'),
    claim: assign ?? (state.assignee === actor.userId ? 'It is already yours.' : null),
    reassign: assign,
    comment: refusal('comment')?.code === 'role' ? 'Commenting needs an approver role; you can read only.' : may('comment'),
  };
}
