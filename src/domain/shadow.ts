import type { Decision } from './decide';

/**
 * What Reckon would have done, in words, for a case decided in shadow mode: the audit log and
 * the read model say it; nothing is written to the systems of record.
 */
export function describeShadowDecision(d: Decision, ctx: { variance: number; firstRole: string }): string {
  switch (d.action) {
    case 'auto_resolve':
      if (d.correction === 'adjust') return `would have posted an adjustment of ${d.adjustQty} (rule ${d.rule})`;
      if (d.correction === 'suppress') return `would have suppressed it as a duplicate (rule ${d.rule})`;
      return `would have closed it without an adjustment, the systems resyncing (rule ${d.rule})`;
    case 'recount':
      return 'would have created a count task for a recount';
    case 'hold_then_review':
      return `would have held ${Math.abs(ctx.variance)} and asked ${ctx.firstRole} to decide`;
    case 'review':
      return `would have asked ${ctx.firstRole} to decide`;
    case 'resolved_by_recount':
      return 'would have closed it: the recount found the system right';
  }
}
