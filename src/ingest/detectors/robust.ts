/** Robust statistics for peer comparisons: median and the median absolute deviation. */

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
