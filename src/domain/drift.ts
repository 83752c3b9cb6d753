/**
 * Drift: a slow, systematic divergence between a bin's books and its shelf that no single count
 * trips (each variance inside tolerance). A two-sided CUSUM over the bin's signed relative count
 * variances: each count adds its variance (clipped, so one gross miscount cannot alarm alone)
 * less an allowance; a run that accumulates past the threshold is a drift. Pure.
 */
export const DRIFT_VERSION = 'drift-cusum-v1';

export interface DriftParams {
  /** allowance per count, % of stock: variances smaller than this on average never accumulate */
  allowancePct: number;
  /** alarm when the cumulative sum passes this, % of stock */
  thresholdPct: number;
  /** one count contributes at most this, % of stock (a miscount of 8 units on a 50-unit bin is 16 %) */
  clipPct: number;
  /** counts in the run before an alarm may be raised */
  minCounts: number;
  /** how far back the series goes */
  windowDays: number;
}

export const DRIFT_PARAMS: DriftParams = { allowancePct: 0.25, thresholdPct: 2, clipPct: 1, minCounts: 4, windowDays: 180 };

export interface VarianceObservation {
  at: string;
  systemQty: number;
  countedQty: number;
  /**
   * the books were corrected to this count afterwards (it was beyond tolerance): the next
   * count's variance starts from zero. Otherwise a variance inside tolerance stays in the books
   * and the next count finds it again plus what drifted since.
   */
  corrected?: boolean;
}

export interface DriftFinding {
  direction: 'loss' | 'gain';
  /** the CUSUM when it alarmed, % of stock (negative for a loss) */
  cusumPct: number;
  /** size per period: what drifted between the counts of the run (each variance less what the books still carried from the count before), a week, % of stock and units */
  perWeekPct: number;
  perWeekUnits: number;
  /** signed units that drifted over the run */
  units: number;
  /** the run: the counts since the CUSUM last stood at zero, oldest first */
  evidence: { at: string; systemQty: number; countedQty: number; variancePct: number }[];
}

const WEEK_MS = 7 * 86_400_000;
const round = (n: number, d: number) => Math.round(n * 10 ** d) / 10 ** d;

export function relativeVariancePct(o: VarianceObservation): number {
  const base = Math.max(Math.abs(o.systemQty), Math.abs(o.countedQty), 1);
  return (100 * (o.countedQty - o.systemQty)) / base;
}

/** The drift the series shows at its last count, or null. The series is sorted oldest first. */
export function detectDrift(series: VarianceObservation[], p: DriftParams = DRIFT_PARAMS): DriftFinding | null {
  let up = 0;
  let down = 0;
  let upStart = 0;
  let downStart = 0;
  for (let i = 0; i < series.length; i++) {
    const x = Math.max(-p.clipPct, Math.min(p.clipPct, relativeVariancePct(series[i])));
    if (up === 0) upStart = i;
    if (down === 0) downStart = i;
    up = Math.max(0, up + x - p.allowancePct);
    down = Math.min(0, down + x + p.allowancePct);
  }
  const last = series.length - 1;
  const pick = (): { sum: number; start: number } | null => {
    if (down <= -p.thresholdPct && last - downStart + 1 >= p.minCounts) return { sum: down, start: downStart };
    if (up >= p.thresholdPct && last - upStart + 1 >= p.minCounts) return { sum: up, start: upStart };
    return null;
  };
  const run = pick();
  if (!run) return null;
  const counts = series.slice(run.start);
  const evidence = counts.map((o) => ({ at: o.at, systemQty: o.systemQty, countedQty: o.countedQty, variancePct: round(relativeVariancePct(o), 3) }));
  // what drifted since the previous count: its variance less what the books still carried
  let units = 0;
  let pctSum = 0;
  for (let i = run.start; i <= last; i++) {
    const prev = i > 0 && !series[i - 1].corrected ? series[i - 1] : null;
    units += series[i].countedQty - series[i].systemQty - (prev ? prev.countedQty - prev.systemQty : 0);
    pctSum += relativeVariancePct(series[i]) - (prev ? relativeVariancePct(prev) : 0);
  }
  // the weeks the run covers: from the count before it (when the shelf was last seen), else a
  // gap like the run's own before its first count
  const end = Date.parse(series[last].at);
  const first = Date.parse(series[run.start].at);
  const span = run.start > 0 ? end - Date.parse(series[run.start - 1].at) : ((end - first) * counts.length) / Math.max(1, counts.length - 1);
  const weeks = Math.max(span / WEEK_MS, 1 / 7);
  return {
    direction: run.sum < 0 ? 'loss' : 'gain',
    cusumPct: round(run.sum, 3),
    perWeekPct: round(pctSum / weeks, 3),
    perWeekUnits: round(units / weeks, 3),
    units,
    evidence,
  };
}
