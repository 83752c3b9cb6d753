import type { SkuClass } from './discrepancy';
import type { CycleCountSettings } from './policy';

/**
 * ABC classification by Pareto on annual usage value (units issued in a year × unit cost): the
 * skus making up the first `aShare` of the site's usage value are A, up to `bShare` B, the rest
 * C. The sku whose value crosses a threshold still belongs to the class it crosses. Pure.
 */
export interface SkuUsage {
  sku: string;
  annualUsageValue: number;
}

export function classifyAbc(usage: SkuUsage[], t: Pick<CycleCountSettings['abc'], 'aShare' | 'bShare'>): { sku: string; skuClass: SkuClass; annualUsageValue: number }[] {
  const clean = usage.map((u) => ({ sku: u.sku, annualUsageValue: Number.isFinite(u.annualUsageValue) && u.annualUsageValue > 0 ? u.annualUsageValue : 0 }));
  const sorted = [...clean].sort((a, b) => b.annualUsageValue - a.annualUsageValue || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  const total = sorted.reduce((n, u) => n + u.annualUsageValue, 0);
  let before = 0;
  return sorted.map((u) => {
    const share = total > 0 ? before / total : 1;
    before += u.annualUsageValue;
    const skuClass: SkuClass = u.annualUsageValue === 0 ? 'C' : share < t.aShare ? 'A' : share < t.bShare ? 'B' : 'C';
    return { sku: u.sku, skuClass, annualUsageValue: Math.round(u.annualUsageValue * 100) / 100 };
  });
}

/**
 * The class a sku counts as: a person's override, else — by the policy's source — the class the
 * ERP supplies (event attribute or item master) or Reckon's computed one; the ERP's while Reckon
 * has computed none, and C when nobody knows.
 */
export function effectiveClass(
  stored: { computedClass: SkuClass | null; overrideClass: SkuClass | null } | null,
  supplied: SkuClass | undefined,
  source: CycleCountSettings['abc']['source'],
): SkuClass {
  if (stored?.overrideClass) return stored.overrideClass;
  if (source === 'erp') return supplied ?? stored?.computedClass ?? 'C';
  return stored?.computedClass ?? supplied ?? 'C';
}

/** The highest class among a bin's skus: a bin holding one A item is counted like an A bin. */
export function binClass(classes: SkuClass[]): SkuClass {
  return classes.includes('A') ? 'A' : classes.includes('B') ? 'B' : 'C';
}
