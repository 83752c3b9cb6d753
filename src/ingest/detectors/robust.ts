/**
 * Robust statistics for peer comparisons (median, robust z-score). One definition, in the domain,
 * shared with scorer v2 so a detector and the scorer read "unusual" the same way.
 */
export { median, robustZ } from '../../domain/scorer-v2/stats';
