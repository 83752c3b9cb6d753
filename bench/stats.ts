/** Percentiles and the one-line figures the bench prints. */

export interface Latency {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of `sorted` (ascending), `p` in 0..100. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1];
}

export function summarize(samplesMs: number[]): Latency {
  const s = [...samplesMs].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 10) / 10;
  return { count: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s[s.length - 1] ?? NaN) };
}

export const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** `value` relative to `baseline` (e.g. 0.74 for 74 %). */
export function ratio(value: number, baseline: number): number {
  return baseline > 0 ? round(value / baseline, 3) : NaN;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Each round's ratio of `value` to `baseline` (the sides ran in the same round), and their median. */
export function pairedRatios(value: number[], baseline: number[]): { byRound: number[]; median: number } {
  const byRound = value.map((v, i) => ratio(v, baseline[i]));
  return { byRound, median: round(median(byRound), 3) };
}

/** A printed figure: name, value and unit, and its ratio to the baseline when there is one. */
export function line(name: string, value: number | string, unit = '', vs?: { baseline: string; ratio: number }): string {
  const v = typeof value === 'number' ? String(round(value, 1)) : value;
  const cmp = vs ? `   ${vs.ratio}× ${vs.baseline}` : '';
  return `  ${name.padEnd(44)} ${`${v} ${unit}`.trim().padStart(14)}${cmp}`;
}
