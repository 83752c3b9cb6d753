import { CALIBRATION_PRIOR_SD } from './prior';
import { logit, sigmoid } from './stats';

/** Platt scaling: calibrated = σ(a · logit(raw) + b). a > 0 keeps it increasing in raw. */
export interface Calibration {
  a: number;
  b: number;
}

export const IDENTITY: Calibration = { a: 1, b: 0 };

/** Smallest slope a fit may have: the calibrated confidence never falls as the raw one rises. */
export const MIN_SLOPE = 0.05;

export function calibrate(raw: number, c: Calibration): number {
  return sigmoid(c.a * logit(raw) + c.b);
}

/**
 * Maximum a posteriori Platt fit by Newton's method: the log-likelihood of the verdicts plus a
 * Gaussian prior centred on the identity (a = 1, b = 0), so with few outcomes the raw
 * confidence stands and each outcome moves it a little.
 */
export function fitPlatt(pairs: { raw: number; y: boolean }[], sd = CALIBRATION_PRIOR_SD): Calibration {
  const lambda = 1 / (sd * sd);
  const xs = pairs.map((p) => logit(p.raw));
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let ga = (a - 1) * lambda;
    let gb = b * lambda;
    let haa = lambda;
    let hab = 0;
    let hbb = lambda;
    pairs.forEach((pair, i) => {
      const x = xs[i];
      const p = sigmoid(a * x + b);
      const d = p - (pair.y ? 1 : 0);
      const w = Math.max(p * (1 - p), 1e-12);
      ga += d * x;
      gb += d;
      haa += w * x * x;
      hab += w * x;
      hbb += w;
    });
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-9 && Math.abs(db) < 1e-9) break;
  }
  if (!Number.isFinite(a) || !Number.isFinite(b)) return IDENTITY;
  return { a: Math.max(MIN_SLOPE, a), b };
}

/** Mean squared error of probabilities against what happened (lower is better). */
export function brier(pairs: { p: number; y: boolean }[]): number {
  if (pairs.length === 0) return 0;
  return pairs.reduce((s, { p, y }) => s + (p - (y ? 1 : 0)) ** 2, 0) / pairs.length;
}

export interface ReliabilityBin {
  from: number;
  to: number;
  count: number;
  /** mean predicted probability in the bin */
  predicted: number;
  /** share that turned out true */
  observed: number;
}

/** A reliability table: predictions in equal-width bins against how often they came true. */
export function reliability(pairs: { p: number; y: boolean }[], bins = 10): ReliabilityBin[] {
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, i) => ({ from: i / bins, to: (i + 1) / bins, count: 0, predicted: 0, observed: 0 }));
  for (const { p, y } of pairs) {
    const bin = out[Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))];
    bin.count += 1;
    bin.predicted += p;
    bin.observed += y ? 1 : 0;
  }
  for (const bin of out) {
    if (bin.count > 0) {
      bin.predicted /= bin.count;
      bin.observed /= bin.count;
    }
  }
  return out;
}
