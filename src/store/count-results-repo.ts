import type { Pool, PoolClient } from 'pg';
import type { SkuClass } from '../domain';

type Db = Pick<Pool | PoolClient, 'query'>;

/** Recorded count results (migrations/050_accuracy.sql): the source of IRA and drift. */
export interface CountResultRow {
  id: string;
  origin: 'event' | 'task';
  site: string;
  location?: string;
  zone?: string;
  sku: string;
  skuClass: SkuClass;
  unitCost: number;
  systemQty: number;
  countedQty: number;
  withinTolerance: boolean;
  countedAt: string;
}

/** Once per id: a redelivered event or a resent task result changes nothing. */
export async function insertCountResult(db: Db, r: CountResultRow): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO count_results (id, origin, site, location, zone, sku, sku_class, unit_cost, system_qty, counted_qty, within_tolerance, counted_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT (id) DO NOTHING`,
    [r.id, r.origin, r.site, r.location ?? null, r.zone ?? null, r.sku, r.skuClass, r.unitCost, r.systemQty, r.countedQty, r.withinTolerance, r.countedAt],
  );
  return (res.rowCount ?? 0) > 0;
}

/** A bin's signed count variances (counted − system), oldest first, since its last drift case closed: the drift detector's series. */
export async function countVarianceSeries(
  db: Db,
  key: { site: string; location: string; sku: string },
  since: Date,
): Promise<{ countedAt: string; systemQty: number; countedQty: number; withinTolerance: boolean }[]> {
  const { rows } = await db.query<{ counted_at: Date; system_qty: string; counted_qty: string; within_tolerance: boolean }>(
    // a drift case closed at the bin settled what came before it: the series starts afresh
    `SELECT counted_at, system_qty, counted_qty, within_tolerance FROM count_results
     WHERE site = $1 AND location IS NOT DISTINCT FROM $2 AND sku = $3 AND counted_at >= $4
       AND recorded_at > COALESCE((SELECT max(closed_at) FROM discrepancies
                                   WHERE kind = 'drift' AND site = $1 AND location IS NOT DISTINCT FROM $2 AND sku = $3 AND status = 'closed'), '-infinity')
     ORDER BY counted_at, id`,
    [key.site, key.location || null, key.sku, since],
  );
  return rows.map((r) => ({ countedAt: r.counted_at.toISOString(), systemQty: Number(r.system_qty), countedQty: Number(r.counted_qty), withinTolerance: r.within_tolerance }));
}

/** Reckon's item master's cost and class, and its location master's zone, for a count without an event to carry them. */
export async function countContext(db: Db, site: string, location: string | undefined, sku: string): Promise<{ unitCost: number; skuClass: SkuClass; zone?: string }> {
  const { rows } = await db.query<{ unit_cost: string | null; sku_class: SkuClass | null; zone: string | null }>(
    `SELECT i.unit_cost, i.sku_class, l.zone FROM (SELECT 1) one
     LEFT JOIN model.items i ON i.sku = $3
     LEFT JOIN model.locations l ON l.site = $1 AND l.location = $2`,
    [site, location ?? '', sku],
  );
  const r = rows[0];
  return { unitCost: Number(r?.unit_cost ?? 0), skuClass: r?.sku_class ?? 'C', ...(r?.zone ? { zone: r.zone } : {}) };
}
