import type { PoolClient } from 'pg';
import { ReplenishmentSettings, type CaseState, type DiscrepancyKind } from '../domain';
import type { AvailabilityInput } from '../domain/triage';
import { availabilityFacts } from '../store/triage-repo';

type Db = Pick<PoolClient, 'query'>;

/** Kinds whose correction books stock in or out (a resync or a hold does not change availability). */
export const STOCK_CORRECTING_KINDS: readonly DiscrepancyKind[] = ['count_variance', 'phantom_stock', 'negative_inventory', 'receiving_variance', 'drift'];

/**
 * The case's effect on the sku's availability at its site: on hand in every bin less what open
 * orders still need, before and after the correction, with the ERP's reorder point and safety
 * stock (Reckon's item master, as the ERP gave them through the port) or the pinned policy's days of cover at the sku's velocity. Undefined when
 * neither gives a level (no ERP levels and a sku that does not move).
 */
export async function loadAvailability(db: Db, s: CaseState, velocityPerDay: number, reservedQty: number): Promise<AvailabilityInput | undefined> {
  if (!STOCK_CORRECTING_KINDS.includes(s.report.kind)) return undefined;
  const { site, sku } = s.report;
  const r = await availabilityFacts(db, site, sku, s.policyVersion);
  const availableBefore = Number(r?.on_hand ?? 0) - reservedQty;
  const correction = s.observedQty - s.expectedQty;
  if (r?.reorder_point !== null && r?.reorder_point !== undefined) {
    return { availableBefore, correction, reorderPoint: Number(r.reorder_point), safetyStock: Number(r.safety_stock ?? 0), source: 'erp' };
  }
  if (!(velocityPerDay > 0)) return undefined;
  const parsed = ReplenishmentSettings.safeParse(r?.replenishment ?? {});
  const days = parsed.success ? parsed.data : ReplenishmentSettings.parse({});
  return { availableBefore, correction, reorderPoint: velocityPerDay * days.reorderPointDays, safetyStock: velocityPerDay * days.safetyStockDays, source: 'policy' };
}
