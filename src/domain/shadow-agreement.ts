/**
 * Shadow-mode agreement: what Reckon would have done with a shadow case against what people
 * booked at its bin afterwards (the adjustments the WMS reported in the agreement window). Pure.
 *
 * - would adjust by q: agrees when people adjusted by q, give or take a unit (or 10 %) in the same
 *   direction; otherwise people reversed it (did nothing, or something else);
 * - would close without adjusting (resync, suppress, a recount that found the books right):
 *   agrees when people adjusted nothing;
 * - would give it to people (recount, review, hold): agrees when people adjusted something (both
 *   found it real).
 */
export const SHADOW_AGREEMENT_DAYS = 7;

export type WouldHave = 'adjust' | 'close_without_change' | 'to_people';

export function wouldHaveOf(decision: { action: string; correction?: string }): WouldHave {
  if (decision.action === 'auto_resolve') return decision.correction === 'adjust' ? 'adjust' : 'close_without_change';
  if (decision.action === 'resolved_by_recount') return 'close_without_change';
  return 'to_people';
}

export function agrees(would: WouldHave, wouldAdjustQty: number, peopleAdjusted: number): boolean {
  if (would === 'adjust') {
    const slack = Math.max(1, Math.abs(wouldAdjustQty) * 0.1);
    return Math.sign(peopleAdjusted) === Math.sign(wouldAdjustQty) && Math.abs(peopleAdjusted - wouldAdjustQty) <= slack;
  }
  if (would === 'close_without_change') return peopleAdjusted === 0;
  return peopleAdjusted !== 0;
}
