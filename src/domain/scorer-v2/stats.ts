/**
 * Small numeric helpers for scorer v2 (the domain stays dependency-free and usable in
 * workflows). The detectors' peer comparisons use the same robust z-score (src/ingest/detectors/robust.ts).
 */

export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Robust z-score of `x` against `peers`: (x − median) / (1.4826 · MAD). When more than half the
 * peers are identical the MAD is zero; the mean absolute deviation (· 1.2533) stands in, and
 * when that is zero too, one unit does, so a lone outlier among identical peers still scores.
 */
export function robustZ(x: number, peers: number[]): number {
  const med = median(peers);
  const deviations = peers.map((p) => Math.abs(p - med));
  const mad = median(deviations);
  const meanAd = deviations.length ? deviations.reduce((a, b) => a + b, 0) / deviations.length : 0;
  const scale = mad > 0 ? 1.4826 * mad : meanAd > 0 ? 1.2533 * meanAd : 1;
  return (x - med) / scale;
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Log-odds, with p kept inside (ε, 1 − ε) so 0 and 1 stay finite. */
export function logit(p: number, eps = 1e-4): number {
  const q = Math.min(1 - eps, Math.max(eps, p));
  return Math.log(q / (1 - q));
}

/** exp-normalise log weights into probabilities that sum to 1. */
export function softmax(logs: number[]): number[] {
  const max = Math.max(...logs);
  const ws = logs.map((l) => Math.exp(l - max));
  const total = ws.reduce((a, b) => a + b, 0);
  return ws.map((w) => w / total);
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
