import type { SkuClass } from './discrepancy';
import type { PolicyDocument } from './policy';
import { judgeTolerance, toleranceFor, zoneOf } from './tolerance';

/**
 * Inventory record accuracy: a count is accurate when the system quantity it was compared with
 * is within the policy's counting tolerance of what was counted (the same limits that decide
 * whether a count opens a case). Pure; src/accuracy records the verdict with each count.
 */
export interface CountObservation {
  site: string;
  location?: string;
  /** the location master's zone; else the location's first segment */
  zone?: string;
  skuClass: SkuClass;
  unitCost: number;
  systemQty: number;
  countedQty: number;
}

export function countWithinTolerance(policy: PolicyDocument, c: CountObservation): boolean {
  const variance = c.countedQty - c.systemQty;
  if (variance === 0) return true;
  const limits = toleranceFor(policy, { site: c.site, zone: c.zone ?? zoneOf(c.location), process: 'counting', skuClass: c.skuClass });
  return judgeTolerance(limits, Math.max(0, c.systemQty), variance, c.unitCost).within;
}

/** What a count weighs in value-weighted IRA: the larger of the two quantities at cost, so a phantom and a hidden unit weigh alike. */
export function countValue(c: Pick<CountObservation, 'unitCost' | 'systemQty' | 'countedQty'>): number {
  return Math.max(0, c.systemQty, c.countedQty) * Math.max(0, c.unitCost);
}
