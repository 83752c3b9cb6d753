/**
 * The multi-seed scorecard: the spread of per-kind recall and precision, and wrong
 * auto-resolutions per seed, over scorecards of several seeds (`npm run scorecard`). Pure.
 */
export interface SeedScorecard {
  seed: number;
  perKind: Record<string, { injected: number; detected: number; recall: number | null; precision: number | null; precisionRaised?: number | null }>;
  wrongAutoResolutions: number;
  wrongAutoResolutionCases?: { id: string; kind: string; why: string }[];
  autoResolved: number;
  adjustedAgainstEvidence?: { id: string; kind: string; why: string }[];
  cases: { total: number };
  brier: number | null;
  brierPrior: number | null;
}

export interface Spread {
  min: number | null;
  median: number | null;
  /** seeds where the kind had something to measure */
  seeds: number;
}

export interface MultiSeedSummary {
  seeds: number[];
  perKind: Record<string, { recall: Spread; precision: Spread }>;
  wrongAutoResolutions: { seed: number; count: number; cases: { id: string; kind: string; why: string }[] }[];
  totalWrongAutoResolutions: number;
  /** automatic adjustments at a bin whose recent evidence said "maybe something bigger", per seed (null: not measured) */
  adjustedAgainstEvidence: { seed: number; count: number | null }[];
  autoResolved: { seed: number; count: number }[];
  brier: { seed: number; brier: number | null; prior: number | null }[];
}

function spread(xs: (number | null | undefined)[]): Spread {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { min: null, median: null, seeds: 0 };
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { min: v[0], median: Math.round(median * 1000) / 1000, seeds: v.length };
}

export function summarise(cards: SeedScorecard[]): MultiSeedSummary {
  const kinds = [...new Set(cards.flatMap((c) => Object.keys(c.perKind)))].sort();
  return {
    seeds: cards.map((c) => c.seed),
    perKind: Object.fromEntries(kinds.map((k) => [k, { recall: spread(cards.map((c) => c.perKind[k]?.recall)), precision: spread(cards.map((c) => c.perKind[k]?.precision)) }])),
    wrongAutoResolutions: cards.map((c) => ({ seed: c.seed, count: c.wrongAutoResolutions, cases: c.wrongAutoResolutionCases ?? [] })),
    totalWrongAutoResolutions: cards.reduce((n, c) => n + c.wrongAutoResolutions, 0),
    adjustedAgainstEvidence: cards.map((c) => ({ seed: c.seed, count: c.adjustedAgainstEvidence?.length ?? null })),
    autoResolved: cards.map((c) => ({ seed: c.seed, count: c.autoResolved })),
    brier: cards.map((c) => ({ seed: c.seed, brier: c.brier, prior: c.brierPrior })),
  };
}

const f = (x: number | null) => (x === null ? '–' : x.toFixed(2));

export function formatSummary(s: MultiSeedSummary): string {
  const lines = [`seeds ${s.seeds.join(', ')}`, '', '| fault kind | recall min | recall median | precision min | precision median |', '|---|---|---|---|---|'];
  for (const [k, v] of Object.entries(s.perKind)) lines.push(`| ${k} | ${f(v.recall.min)} | ${f(v.recall.median)} | ${f(v.precision.min)} | ${f(v.precision.median)} |`);
  lines.push('', `wrong auto-resolutions per seed: ${s.wrongAutoResolutions.map((w) => `${w.seed}: ${w.count}`).join(', ')} (total ${s.totalWrongAutoResolutions})`);
  for (const w of s.wrongAutoResolutions) for (const c of w.cases) lines.push(`  seed ${w.seed}: ${c.kind} ${c.id}: ${c.why}`);
  lines.push(`auto-resolved per seed: ${s.autoResolved.map((a) => `${a.seed}: ${a.count}`).join(', ')}`);
  lines.push(`automatic adjustments against the bin's evidence per seed: ${s.adjustedAgainstEvidence.map((a) => `${a.seed}: ${a.count ?? '–'}`).join(', ')}`);
  const briers = s.brier.filter((b) => b.brier !== null);
  if (briers.length) lines.push(`Brier vs prior per seed: ${briers.map((b) => `${b.seed}: ${b.brier} vs ${b.prior}`).join(', ')}`);
  return lines.join('\n');
}
