import { DISCREPANCY_KINDS, roundQty } from '../discrepancy';
import type { Score, ScoreInput } from '../scorer';
import { V1_CAUSE_TO_V2 } from './causes';
import { robustZ } from './stats';

/**
 * Scorer v2's features: each a small set of named values (naive Bayes over categories), so the
 * model is a table a person can read and every factor can be said in words.
 */
export const FEATURE_VALUES = {
  kind: DISCREPANCY_KINDS,
  /** sign of observed − expected (for a mismatch: WMS − ERP) */
  direction: ['loss', 'gain'],
  /** how far scorer v1's named explanations (open documents) cover the variance */
  explanation: ['duplicate', 'full', 'partial', 'none'],
  /** which open documents explain it */
  document: ['receipt', 'allocation', 'transfer', 'return', 'several', 'none'],
  /** the count chain of the case */
  counts: ['not_counted', 'single', 'confirmed', 'disagree'],
  /** robust z-score of this variance against earlier variances at the same sku/location */
  varianceZ: ['no_history', 'usual', 'unusual', 'extreme'],
  /** SKU velocity at the location: units picked or shipped per day */
  velocity: ['idle', 'slow', 'fast'],
  /** unexplained losses of the users involved against their peers at the site */
  userRate: ['unknown', 'normal', 'elevated'],
  /** unexplained losses of the shifts involved against the other shifts */
  shiftRate: ['unknown', 'normal', 'elevated'],
  /** WMS balance and ERP on-hand both gathered */
  evidence: ['complete', 'partial'],
} as const;
export type FeatureName = keyof typeof FEATURE_VALUES;
export const FEATURE_NAMES = Object.keys(FEATURE_VALUES) as FeatureName[];
export type FeatureValue<F extends FeatureName = FeatureName> = (typeof FEATURE_VALUES)[F][number];
export type Features = { [F in FeatureName]: FeatureValue<F> };

/** The figures behind the categories, for the explanation in words. */
export interface FeatureFacts {
  variance: number;
  varianceZ?: number;
  varianceHistory: number;
  unitsPerDay: number;
  user?: { userId: string; z: number; lossUnits: number };
  shift?: { shift: string; z: number; lossUnits: number };
  documents: string[];
}

/** One entity's unexplained loss units in the window and its peers' (same site and dimension). */
export interface PeerRate {
  key: string;
  lossUnits: number;
  peers: number[];
}

/** What the scoring activity looks up beside the evidence (Postgres features and history). */
export interface PeerContext {
  /** absolute variances of earlier cases and adjustments at this sku/location */
  pastVariances: number[];
  users: PeerRate[];
  shifts: PeerRate[];
  /** days the evidence's recent transactions span */
  lookbackDays: number;
}

export const EMPTY_PEERS: PeerContext = { pastVariances: [], users: [], shifts: [], lookbackDays: 30 };

/** Thresholds of the categories (documented with the prior in docs/scorer-v2.md). */
export const THRESHOLDS = { unusualZ: 2, extremeZ: 4, elevatedZ: 3, minPeers: 3, fastUnitsPerDay: 10 } as const;

const OUTBOUND_TYPES = new Set(['pick', 'shipment', 'sale', 'transfer_shipped']);
const DOCUMENT_OF: Record<string, FeatureValue<'document'>> = {
  unposted_receipt: 'receipt',
  open_allocation: 'allocation',
  transfer_in_transit: 'transfer',
  return_without_disposition: 'return',
};

/**
 * Kinds whose report's observation is a count of the bin: a counter's, or a picker's who found
 * less than asked. A negative_inventory report observes the system's own (negative) balance:
 * nobody has counted until a recount does, and a recount agreeing with "not below zero" is no
 * counting error.
 */
export const OBSERVED_BY_COUNT: readonly string[] = ['count_variance', 'phantom_stock'];

function countChain(input: ScoreInput): FeatureValue<'counts'> {
  const counted = OBSERVED_BY_COUNT.includes(input.kind);
  if (input.recounts.length === 0) return counted ? 'single' : 'not_counted';
  const chain = [...(counted && input.reportedQty !== undefined ? [input.reportedQty] : []), ...input.recounts.map((r) => r.countedQty)];
  if (chain.length < 2) return 'single';
  return roundQty(chain[chain.length - 1] - chain[chain.length - 2]) === 0 ? 'confirmed' : 'disagree';
}

/** The peer with the highest z-score among those with enough peers to compare against. */
function worst(rates: PeerRate[]): { key: string; z: number; lossUnits: number } | undefined {
  let best: { key: string; z: number; lossUnits: number } | undefined;
  for (const r of rates) {
    if (r.peers.length < THRESHOLDS.minPeers) continue;
    const z = robustZ(r.lossUnits, r.peers);
    if (!best || z > best.z) best = { key: r.key, z, lossUnits: r.lossUnits };
  }
  return best;
}

function rateOf(w: { z: number; lossUnits: number } | undefined): FeatureValue<'userRate'> {
  if (!w) return 'unknown';
  return w.z >= THRESHOLDS.elevatedZ && w.lossUnits > 0 ? 'elevated' : 'normal';
}

/** Features of a case from its score input, scorer v1's reading of it, and its peers. Pure. */
export function deriveFeatures(input: ScoreInput, v1: Score, peers: PeerContext): { features: Features; facts: FeatureFacts } {
  const variance = roundQty(input.observedQty - input.expectedQty);
  const docs = v1.causes.filter((c) => DOCUMENT_OF[c.cause] !== undefined);
  const explanation: FeatureValue<'explanation'> =
    v1.recommendedAction === 'suppress' ? 'duplicate' : v1.fullyExplained ? 'full' : docs.length > 0 ? 'partial' : 'none';
  const docKinds = [...new Set(docs.map((c) => DOCUMENT_OF[c.cause]))];
  const document: FeatureValue<'document'> = docKinds.length === 0 ? 'none' : docKinds.length === 1 ? docKinds[0] : 'several';

  const history = peers.pastVariances.map(Math.abs);
  const z = history.length >= THRESHOLDS.minPeers ? robustZ(Math.abs(variance), history) : undefined;
  const varianceZ: FeatureValue<'varianceZ'> =
    z === undefined ? 'no_history' : z >= THRESHOLDS.extremeZ ? 'extreme' : z >= THRESHOLDS.unusualZ ? 'unusual' : 'usual';

  const outbound = (input.evidence.recentTransactions ?? []).filter((t) => OUTBOUND_TYPES.has(t.type));
  const unitsPerDay = outbound.reduce((a, t) => a + Math.abs(t.qty), 0) / Math.max(1, peers.lookbackDays);
  const velocity: FeatureValue<'velocity'> = unitsPerDay === 0 ? 'idle' : unitsPerDay >= THRESHOLDS.fastUnitsPerDay ? 'fast' : 'slow';

  const user = worst(peers.users);
  const shift = worst(peers.shifts);
  const coreMissing = ['wmsBalance', 'erpOnHand', 'all'].some((m) => input.evidence.missing.includes(m));

  return {
    features: {
      kind: input.kind,
      direction: variance < 0 ? 'loss' : 'gain',
      explanation,
      document,
      counts: countChain(input),
      varianceZ,
      velocity,
      userRate: rateOf(user),
      shiftRate: rateOf(shift),
      evidence: coreMissing ? 'partial' : 'complete',
    },
    facts: {
      variance,
      varianceZ: z,
      varianceHistory: history.length,
      unitsPerDay: Math.round(unitsPerDay * 100) / 100,
      user: user && { userId: user.key, z: user.z, lossUnits: user.lossUnits },
      shift: shift && { shift: shift.key, z: shift.z, lossUnits: shift.lossUnits },
      documents: docs.map((c) => c.explanation),
    },
  };
}

/** The v2 causes scorer v1's documents point to (for the "explained" reading's confidence). */
export function explainingCauses(v1: Score): string[] {
  return [...new Set(v1.causes.map((c) => V1_CAUSE_TO_V2[c.cause]).filter((c): c is NonNullable<typeof c> => c !== undefined))];
}
