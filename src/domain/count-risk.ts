/**
 * Cycle-count risk (the scheduled cycleCountPlanner, docs/accuracy.md): which bins of a site most need
 * a count tonight. Pure; the planner's activity reads the features and records the ranking.
 */
import { formatWholeAmount } from './money';

export const COUNT_RISK_VERSION = 'count-risk-v1';

/** How far back discrepancies count as a bin's error history. */
export const ERROR_WINDOW_DAYS = 90;
/** Velocity is averaged over this window. */
export const BIN_VELOCITY_WINDOW_DAYS = 30;
/** A bin never counted is treated as last counted this long ago. */
export const NEVER_COUNTED_DAYS = 365;
/** A bin counted more recently than this is not planned again: its count is fresh. */
export const MIN_DAYS_BETWEEN_COUNTS = 1;
/** Staleness reaches one half at this many days since the last count. */
export const STALENESS_HALF_DAYS = 30;

export interface LocationFeatures {
  location: string;
  /** SKUs the system holds in the bin (each gets a count task) */
  skus: string[];
  /** discrepancies at the bin in the error window, except those judged false positives */
  errorCases: number;
  /** units picked, shipped or moved out of the bin per day */
  velocityPerDay: number;
  /** system on-hand at unit cost */
  stockValue: number;
  /** days since the last count of any SKU in the bin; null when never counted */
  daysSinceCount: number | null;
  /** a count task for the bin is still open: counting it again adds nothing */
  openCountTask: boolean;
}

export interface RankedLocation {
  rank: number;
  location: string;
  risk: number;
  skus: string[];
  factors: {
    errorCases: number;
    velocityPerDay: number;
    stockValue: number;
    daysSinceCount: number | null;
    staleness: number;
  };
  reasons: string[];
}

const nonNegative = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);
const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** 0 just counted, ½ at STALENESS_HALF_DAYS, towards 1 as the last count ages. */
export function stalenessOf(daysSinceCount: number | null): number {
  const d = daysSinceCount === null ? NEVER_COUNTED_DAYS : nonNegative(daysSinceCount);
  return d / (d + STALENESS_HALF_DAYS);
}

/**
 * risk = (1 + 2·errors) × (1 + log10(1 + velocity)) × (1 + log10(1 + value)) × staleness.
 * Error history weighs most (a bin that was wrong before is the best predictor it is wrong
 * again); velocity and value grow by decades so one huge bin does not drown the rest; a
 * recent count makes any bin a poor use of a counter's time.
 */
export function locationRisk(f: LocationFeatures): number {
  const errors = Math.floor(nonNegative(f.errorCases));
  return round(
    (1 + 2 * errors) * (1 + Math.log10(1 + nonNegative(f.velocityPerDay))) * (1 + Math.log10(1 + nonNegative(f.stockValue))) * stalenessOf(f.daysSinceCount),
    4,
  );
}

function reasonsFor(f: LocationFeatures): string[] {
  const reasons: string[] = [];
  if (f.errorCases > 0) reasons.push(`${f.errorCases} discrepanc${f.errorCases === 1 ? 'y' : 'ies'} in ${ERROR_WINDOW_DAYS} days`);
  if (f.velocityPerDay > 0) reasons.push(`moves ${round(f.velocityPerDay, 1)} units a day`);
  if (f.stockValue > 0) reasons.push(`${formatWholeAmount(f.stockValue)} of stock at cost`);
  reasons.push(f.daysSinceCount === null ? 'never counted' : `last counted ${Math.floor(f.daysSinceCount)} days ago`);
  return reasons;
}

/**
 * The top `topN` bins by risk, highest first; ties by location name so a run is reproducible.
 * Bins with an open count task, bins counted within MIN_DAYS_BETWEEN_COUNTS and bins holding
 * no SKU are left out.
 */
export function rankLocations(features: LocationFeatures[], topN: number): RankedLocation[] {
  return features
    .filter((f) => !f.openCountTask && f.skus.length > 0 && !(f.daysSinceCount !== null && f.daysSinceCount < MIN_DAYS_BETWEEN_COUNTS))
    .map((f) => ({ f, risk: locationRisk(f) }))
    .sort((a, b) => b.risk - a.risk || (a.f.location < b.f.location ? -1 : a.f.location > b.f.location ? 1 : 0))
    .slice(0, Math.max(0, Math.floor(topN)))
    .map(({ f, risk }, i) => ({
      rank: i + 1,
      location: f.location,
      risk,
      skus: [...f.skus].sort(),
      factors: {
        errorCases: f.errorCases,
        velocityPerDay: round(nonNegative(f.velocityPerDay), 3),
        stockValue: round(nonNegative(f.stockValue), 2),
        daysSinceCount: f.daysSinceCount === null ? null : round(f.daysSinceCount, 1),
        staleness: round(stalenessOf(f.daysSinceCount), 4),
      },
      reasons: reasonsFor(f),
    }));
}
