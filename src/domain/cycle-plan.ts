import type { SkuClass } from './discrepancy';
import { locationRisk, MIN_DAYS_BETWEEN_COUNTS, rankLocations, type LocationFeatures, type RankedLocation } from './count-risk';

/**
 * The nightly cycle-count plan (docs/triage.md): first the bins due by their ABC class's count
 * frequency, earliest deadline first; then the remaining capacity on risk (count-risk.ts).
 * Pure: the planner activity reads the features, src/planner/simulate-quarter the tests.
 */
export const CYCLE_PLAN_VERSION = 'cycle-plan-v1';

export interface PlanningLocation extends LocationFeatures {
  /** the highest effective class among the bin's skus */
  skuClass: SkuClass;
  /** classes people set by hand for the bin's skus: named in the plan's reasons */
  classOverrides?: { sku: string; skuClass: SkuClass; by: string; reason: string | null }[];
}

export interface PlannedLocation extends RankedLocation {
  /** frequency: due by its class's count frequency; risk: chosen with what capacity was left */
  purpose: 'frequency' | 'risk';
  skuClass: SkuClass;
  /** days until the class's frequency requires a count (negative: overdue); null when never counted */
  dueInDays: number | null;
}

export interface PlanSettings {
  /** bins the site can count tonight */
  capacity: number;
  frequencyDays: Record<SkuClass, number>;
  /**
   * A bin is counted for its frequency once its deadline is this share of its period away: a
   * little early, so the due load spreads over days instead of piling onto one.
   */
  leadShare?: number;
}

const DEFAULT_LEAD_SHARE = 0.1;
const CLASS_ORDER: Record<SkuClass, number> = { A: 0, B: 1, C: 2 };
const round1 = (n: number) => Math.round(n * 10) / 10;

function dueIn(f: PlanningLocation, frequency: Record<SkuClass, number>): number {
  // never counted: due since forever, first in line
  return f.daysSinceCount === null ? -Infinity : frequency[f.skuClass] - f.daysSinceCount;
}

/** Earliest deadline first; two never-counted bins (both −∞) tie instead of comparing NaN. */
const byDeadline = (a: number, b: number): number => (a === b ? 0 : a < b ? -1 : 1);

/** e.g. `SKU-1 set to A by alice (fast mover since the promotion)`; empty without overrides */
function overrideNote(f: PlanningLocation): string {
  return (f.classOverrides ?? []).map((o) => `${o.sku} set to ${o.skuClass} by ${o.by}${o.reason ? ` (${o.reason})` : ''}`).join('; ');
}

function frequencyReason(f: PlanningLocation, s: PlanSettings, due: number): string {
  const note = overrideNote(f);
  const every = `class ${f.skuClass}${note ? ` (class by hand: ${note})` : ''}: counted at least every ${s.frequencyDays[f.skuClass]} days`;
  if (f.daysSinceCount === null) return `${every}; never counted`;
  const when = due < 0 ? `overdue by ${round1(-due)} days` : due < 1 ? 'due today' : `due in ${Math.floor(due)} days`;
  return `${every}; last counted ${Math.floor(f.daysSinceCount)} days ago, ${when}`;
}

export function planCycleCounts(features: PlanningLocation[], s: PlanSettings): PlannedLocation[] {
  const capacity = Math.max(0, Math.floor(s.capacity));
  const lead = s.leadShare ?? DEFAULT_LEAD_SHARE;
  const eligible = features.filter((f) => !f.openCountTask && f.skus.length > 0 && !(f.daysSinceCount !== null && f.daysSinceCount < MIN_DAYS_BETWEEN_COUNTS));
  const due = eligible
    .map((f) => ({ f, due: dueIn(f, s.frequencyDays), risk: locationRisk(f) }))
    .filter((x) => x.due <= s.frequencyDays[x.f.skuClass] * lead)
    .sort((a, b) => byDeadline(a.due, b.due) || CLASS_ORDER[a.f.skuClass] - CLASS_ORDER[b.f.skuClass] || b.risk - a.risk || (a.f.location < b.f.location ? -1 : 1))
    .slice(0, capacity);
  const chosen = new Set(due.map((x) => x.f.location));
  const byLocation = new Map(eligible.map((f) => [f.location, f]));
  // rankLocations gives the factors and reasons in the shape plans record
  const order = new Map(due.map((x, i) => [x.f.location, i]));
  const frequency = rankLocations(due.map((x) => x.f), due.length).sort((a, b) => order.get(a.location)! - order.get(b.location)!);
  const risk = rankLocations(eligible.filter((f) => !chosen.has(f.location)), capacity - due.length);
  const plan: PlannedLocation[] = [];
  for (const r of frequency) {
    const f = byLocation.get(r.location)!;
    const d = dueIn(f, s.frequencyDays);
    plan.push({ ...r, rank: plan.length + 1, purpose: 'frequency', skuClass: f.skuClass, dueInDays: Number.isFinite(d) ? round1(d) : null, reasons: [frequencyReason(f, s, d), ...r.reasons] });
  }
  for (const r of risk) {
    const f = byLocation.get(r.location)!;
    const d = dueIn(f, s.frequencyDays);
    plan.push({ ...r, rank: plan.length + 1, purpose: 'risk', skuClass: f.skuClass, dueInDays: Number.isFinite(d) ? round1(d) : null, reasons: [`risk ${r.risk}: ${r.reasons.join(', ')}`, ...(overrideNote(f) ? [`class ${f.skuClass} (class by hand: ${overrideNote(f)})`] : [])] });
  }
  return plan;
}
