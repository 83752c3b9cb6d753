import type { Process, SkuClass } from './discrepancy';
import type { PolicyDocument, Severity, ToleranceLimits } from './policy';

export interface ToleranceScope {
  site: string;
  /** zone is the location's first segment ("A" of "A-01-03") unless given */
  zone?: string;
  process: Process;
  skuClass: SkuClass;
}

export function zoneOf(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const [zone] = location.split(/[-/.]/);
  return zone || undefined;
}

/**
 * Limits for a scope: the class default, then every matching override in document order
 * (later and more specific overrides win because they are applied after).
 */
export function toleranceFor(policy: PolicyDocument, scope: ToleranceScope): ToleranceLimits {
  const limits: ToleranceLimits = { ...policy.tolerances.byClass[scope.skuClass] };
  const specificity = (o: PolicyDocument['tolerances']['overrides'][number]) =>
    [o.site, o.zone, o.process, o.skuClass].filter((v) => v !== undefined).length;
  const matching = policy.tolerances.overrides
    .map((o, i) => ({ o, i }))
    .filter(
      ({ o }) =>
        (o.site === undefined || o.site === scope.site) &&
        (o.zone === undefined || o.zone === scope.zone) &&
        (o.process === undefined || o.process === scope.process) &&
        (o.skuClass === undefined || o.skuClass === scope.skuClass),
    )
    .sort((a, b) => specificity(a.o) - specificity(b.o) || a.i - b.i);
  for (const { o } of matching) {
    if (o.pct !== undefined) limits.pct = o.pct;
    if (o.units !== undefined) limits.units = o.units;
    if (o.value !== undefined) limits.value = o.value;
  }
  return limits;
}

export interface ToleranceVerdict {
  within: boolean;
  limits: ToleranceLimits;
  variancePct: number | null;
  varianceValue: number;
}

/**
 * Within tolerance when the value is inside the value limit AND the quantity is inside either
 * the unit or the percent limit: small bins are judged by units, large ones by percent, and
 * money always bounds both.
 */
export function judgeTolerance(
  limits: ToleranceLimits,
  expectedQty: number,
  variance: number,
  unitCost: number,
): ToleranceVerdict {
  const abs = Math.abs(variance);
  const varianceValue = Math.round(abs * unitCost * 100) / 100;
  const variancePct = expectedQty > 0 ? (abs / expectedQty) * 100 : null;
  const qtyOk = abs <= limits.units || (variancePct !== null && variancePct <= limits.pct);
  return { within: varianceValue <= limits.value && qtyOk, limits, variancePct, varianceValue };
}

const RANK: Record<Severity, number> = { info: 0, review: 1, high: 2, critical: 3 };
export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}
export function severityRank(s: Severity): number {
  return RANK[s];
}

/** info inside tolerance; beyond it by value at risk; never below the kind's floor. */
export function severityFor(
  policy: PolicyDocument,
  kind: keyof PolicyDocument['severity']['kindFloor'],
  withinTolerance: boolean,
  value: number,
): Severity {
  let s: Severity = withinTolerance ? 'info' : 'review';
  if (value >= policy.severity.criticalFromValue) s = 'critical';
  else if (value >= policy.severity.highFromValue) s = maxSeverity(s, 'high');
  const floor = policy.severity.kindFloor[kind];
  return floor ? maxSeverity(s, floor) : s;
}
