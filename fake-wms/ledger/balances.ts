import type { Pool } from 'pg';
import { num } from './rows';

export interface LedgerBalance {
  site: string;
  /** '' for a site-level (unbinned) balance */
  location: string;
  sku: string;
  wmsQty: number;
  erpQty: number;
  heldQty: number;
  /** wmsQty − erpQty: what a system_mismatch case would see */
  divergence: number;
  skuClass?: string;
  unitCost?: number;
}

/** Both views of every balance at a site, optionally for one sku or bin; for people, not cases. */
export async function listBalances(pool: Pool, filter: { site: string; sku?: string; location?: string }): Promise<LedgerBalance[]> {
  const { rows } = await pool.query<{
    site: string;
    location: string;
    sku: string;
    wms_qty: string;
    erp_qty: string;
    held_qty: string;
    sku_class: string | null;
    unit_cost: string | null;
  }>(
    `SELECT b.site, b.location, b.sku, b.wms_qty, b.erp_qty, b.held_qty, i.sku_class, i.unit_cost
     FROM ledger.balances b LEFT JOIN ledger.items i USING (sku)
     WHERE b.site = $1 AND ($2::text IS NULL OR b.sku = $2::text) AND ($3::text IS NULL OR b.location = $3::text)
     ORDER BY b.sku, b.location LIMIT 1000`,
    [filter.site, filter.sku ?? null, filter.location ?? null],
  );
  return rows.map((r) => ({
    site: r.site,
    location: r.location,
    sku: r.sku,
    wmsQty: num(r.wms_qty),
    erpQty: num(r.erp_qty),
    heldQty: num(r.held_qty),
    divergence: num(r.wms_qty) - num(r.erp_qty),
    skuClass: r.sku_class ?? undefined,
    unitCost: r.unit_cost === null ? undefined : num(r.unit_cost),
  }));
}
