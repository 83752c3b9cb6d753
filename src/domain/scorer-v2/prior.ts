import type { RootCauseV2 } from './causes';
import type { FeatureName, FeatureValue } from './features';

/**
 * The documented prior of scorer v2 (the cold start, model version 0), written as pseudo-counts
 * of a Dirichlet prior: what Reckon believes before any outcome is recorded.
 *
 * - CAUSE_PRIOR: pseudo-counts of each root cause among cases (18 in all): timing and counting
 *   problems are the most common reasons a system and a shelf disagree; theft the least.
 * - AFFINITY: per cause and feature, how much more often than usual (weight 1) a value occurs
 *   with that cause. Each (cause, feature) distribution carries PRIOR_STRENGTH pseudo-counts
 *   spread in proportion to the weights, so about that many confirmed outcomes of a cause weigh
 *   as much as the prior about it.
 * - CALIBRATION_PRIOR: Platt scaling starts as the identity (a = 1, b = 0) with a Gaussian prior
 *   of this standard deviation; outcomes move it.
 */
export const PRIOR_STRENGTH = 10;

export const CAUSE_PRIOR: Record<RootCauseV2, number> = {
  unposted_document: 3,
  open_allocation: 2,
  in_transit: 1.5,
  sync_lag: 1.5,
  mis_scan: 2,
  shrink: 1,
  count_error: 2.5,
  duplicate_report: 1,
  genuine_loss: 3.5,
};

type Affinity = { [F in FeatureName]?: Partial<Record<FeatureValue<F>, number>> };

/**
 * What holds for every cause unless it says otherwise: a duplicate report is rare, peers'
 * loss rates are rarely elevated and variances rarely unusual (missing history says nothing
 * either way: it weighs the same everywhere).
 */
const BASE: Affinity = {
  explanation: { duplicate: 0.002 },
  varianceZ: { no_history: 4, usual: 3, unusual: 0.6, extreme: 0.2 },
  userRate: { unknown: 4, normal: 3, elevated: 0.2 },
  shiftRate: { unknown: 4, normal: 3, elevated: 0.2 },
};

/** Documents explaining the variance are strong evidence for their cause and against the others. */
const NO_DOCUMENTS = { explanation: { full: 0.1, partial: 0.5, duplicate: 0.002, none: 3 }, document: { none: 4 } } as const;

const SPECIFIC: Record<RootCauseV2, Affinity> = {
  unposted_document: {
    kind: { system_mismatch: 6, receiving_variance: 4, return_unposted: 8, count_variance: 2, negative_inventory: 2 },
    direction: { gain: 2 },
    explanation: { full: 30, partial: 6, none: 0.3, duplicate: 0.002 },
    document: { receipt: 30, return: 30, several: 10, allocation: 0.5, transfer: 0.5, none: 0.3 },
    counts: { not_counted: 2 },
  },
  open_allocation: {
    kind: { system_mismatch: 6, phantom_stock: 4, count_variance: 2 },
    direction: { loss: 3 },
    explanation: { full: 30, partial: 6, none: 0.3, duplicate: 0.002 },
    document: { allocation: 30, several: 10, receipt: 0.5, transfer: 0.5, return: 0.5, none: 0.3 },
    counts: { not_counted: 2 },
  },
  in_transit: {
    kind: { transfer_delay: 12, system_mismatch: 5 },
    explanation: { full: 30, partial: 6, none: 1, duplicate: 0.002 },
    document: { transfer: 30, several: 10, receipt: 0.5, allocation: 0.5, return: 0.5, none: 1 },
    counts: { not_counted: 3 },
  },
  sync_lag: {
    kind: { system_mismatch: 12 },
    ...NO_DOCUMENTS,
    counts: { not_counted: 4 },
    evidence: { partial: 2 },
  },
  mis_scan: {
    kind: { mis_scan: 12, phantom_stock: 4, negative_inventory: 3, count_variance: 2, lot_expiry: 2 },
    ...NO_DOCUMENTS,
    varianceZ: { usual: 2, unusual: 2, extreme: 1 },
    velocity: { fast: 3 },
    counts: { single: 1.5, confirmed: 2 },
  },
  shrink: {
    kind: { shrink_pattern: 12, count_variance: 2, phantom_stock: 2 },
    direction: { loss: 8, gain: 0.2 },
    ...NO_DOCUMENTS,
    varianceZ: { usual: 2, unusual: 2, extreme: 2 },
    userRate: { normal: 1, elevated: 6 },
    shiftRate: { normal: 1.5, elevated: 3 },
    counts: { not_counted: 3, confirmed: 3, disagree: 0.3 },
  },
  count_error: {
    kind: { count_variance: 6, phantom_stock: 2, negative_inventory: 1.5 },
    ...NO_DOCUMENTS,
    counts: { disagree: 15, single: 2, confirmed: 0.1, not_counted: 0.3 },
    varianceZ: { unusual: 1, extreme: 1 },
    velocity: { fast: 2 },
  },
  duplicate_report: {
    explanation: { duplicate: 400, full: 0.5, partial: 0.5, none: 0.5 },
  },
  genuine_loss: {
    kind: { count_variance: 4, receiving_variance: 5, lot_expiry: 6, negative_inventory: 2, transfer_delay: 2 },
    direction: { loss: 3 },
    ...NO_DOCUMENTS,
    counts: { confirmed: 6, single: 1.5, disagree: 0.3 },
  },
};

function merged(specific: Affinity): Affinity {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, weights] of Object.entries(BASE)) out[name] = { ...weights };
  for (const [name, weights] of Object.entries(specific)) out[name] = { ...out[name], ...weights };
  return out as Affinity;
}

export const AFFINITY = Object.fromEntries(Object.entries(SPECIFIC).map(([c, a]) => [c, merged(a)])) as Record<RootCauseV2, Affinity>;

/** Standard deviation of the Gaussian prior on Platt's (a, b) around the identity (1, 0). */
export const CALIBRATION_PRIOR_SD = 0.5;
