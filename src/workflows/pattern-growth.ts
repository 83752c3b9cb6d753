import { caseLadder, positionOn } from '../domain/core';
import type { CaseContext } from './case-context';
import { scoreAndAssess } from './scoring-step';
import { enterApproval, voidStaleApprovals } from './waits';

/** Patch id: a later report of an open shrink or drift pattern updates its quantities and value, and re-scores it. */
export const PATTERN_GROWS_PATCH = 'pattern-report-updates-case';

/** Kinds whose reports describe a pattern over a window: the latest report is its current size. */
export const PATTERN_KINDS: ReadonlySet<string> = new Set(['shrink_pattern', 'drift']);

/**
 * Takes the pattern's latest quantities into the case, with an audit entry of the change. Not
 * after a recount has counted the bin: a count is a different measure from a window of losses,
 * and the count is what the case is decided on.
 */
export function applyPatternUpdate(ctx: CaseContext): boolean {
  const u = ctx.patternUpdate;
  if (!u) return false;
  ctx.patternUpdate = undefined;
  const s = ctx.state;
  const before = { expectedQty: s.expectedQty, observedQty: s.observedQty, valueAtRisk: s.assessment?.valueAtRisk ?? null };
  if (s.recounts.some((r) => r.countedQty !== undefined)) {
    ctx.audit('pattern_report_not_applied', 'system', 'reckon', { reason: 'the bin was recounted: the case is decided on the count', reported: u });
    ctx.dirty = true;
    return false;
  }
  s.expectedQty = u.expectedQty;
  s.observedQty = u.observedQty;
  const grew = Math.abs(u.observedQty - u.expectedQty) > Math.abs(before.observedQty - before.expectedQty);
  ctx.audit(grew ? 'pattern_grew' : 'pattern_changed', 'system', u.source, { before, after: { expectedQty: u.expectedQty, observedQty: u.observedQty }, receivedAt: u.receivedAt });
  return true;
}

/**
 * A case waiting for a person whose pattern changed: new quantities, a new score and value; the
 * approvals given for the old variance are void. A new severity puts it on that severity's ladder
 * from its first rung; otherwise it stays with the person it is with.
 */
export async function rescorePattern(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  if (!applyPatternUpdate(ctx)) {
    await ctx.record();
    return;
  }
  const severity = s.severity;
  const role = s.ownerRole;
  voidStaleApprovals(ctx);
  await scoreAndAssess(ctx);
  const ladder = caseLadder(ctx.policy!.document, s);
  if (s.severity !== severity || positionOn(ladder, Math.min(s.escalationLevel, ladder.rungs.length)).role !== role) {
    await enterApproval(ctx, 0);
    return;
  }
  await ctx.record();
}

/**
 * A pattern that changed while a person looks at a refused write: the write was sized for the
 * old pattern. The case takes the new quantities and score and stays with its owner; approvals
 * for the old size are void, and `retry` now decides again on the current size.
 */
export async function rescorePatternInAttention(ctx: CaseContext): Promise<void> {
  const s = ctx.state;
  if (!applyPatternUpdate(ctx)) {
    await ctx.record();
    return;
  }
  voidStaleApprovals(ctx);
  await scoreAndAssess(ctx);
  s.attentionResume = { status: 'deciding' };
  ctx.audit('attention_redecides', 'system', 'reckon', { reason: 'the pattern changed after the refused write was decided: a retry decides again on its current size', refused: s.attention?.write });
  await ctx.record();
}
