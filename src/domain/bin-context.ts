/**
 * Recent evidence at a case's bin that says a small variance may be part of something bigger:
 * another case still open there, a pattern case (shrink, drift, mis-scan) there, or a count
 * beyond tolerance there that is not the case's own. Any of it holds back an automatic
 * adjustment (decide.ts): a −1 inside tolerance can be the visible part of a −6 loss.
 */
export interface BinContext {
  openCases: number;
  patternCases: number;
  largeVariances: number;
}

export const BIN_CONTEXT_DAYS = 14;

export function holdBackReason(c: BinContext): string | undefined {
  const parts: string[] = [];
  if (c.openCases > 0) parts.push(`${c.openCases} other open case${c.openCases === 1 ? '' : 's'}`);
  if (c.patternCases > 0) parts.push(`${c.patternCases} pattern case${c.patternCases === 1 ? '' : 's'}`);
  if (c.largeVariances > 0) parts.push(`${c.largeVariances} count${c.largeVariances === 1 ? '' : 's'} beyond tolerance`);
  if (parts.length === 0) return undefined;
  return `not adjusted automatically: the bin has ${parts.join(', ')} in the last ${BIN_CONTEXT_DAYS} days, so this variance may be part of something bigger`;
}
