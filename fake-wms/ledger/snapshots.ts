import type { Pool } from 'pg';
import type { StockSnapshotPage, StockSnapshotQuery } from '../../src/adapters/ports';

/**
 * A page of one view's stock per sku at a site (bins summed), keyset-paged by sku so a site of
 * 100k skus is read a page at a time. Skus in byte order (collation "C"), as the contract asks.
 */
export async function stockSnapshot(pool: Pool, view: 'wms' | 'erp', q: StockSnapshotQuery): Promise<StockSnapshotPage> {
  const column = view === 'wms' ? 'wms_qty' : 'erp_qty';
  const { rows } = await pool.query<{ sku: string; qty: string; unit_cost: string | null; sku_class: 'A' | 'B' | 'C' | null; taken_at: Date }>(
    `SELECT b.sku, b.qty, i.unit_cost, i.sku_class, now() AS taken_at
     FROM (SELECT sku, sum(${column}) AS qty FROM ledger.balances
           WHERE site = $1 AND ($2::text IS NULL OR sku COLLATE "C" > $2) GROUP BY sku ORDER BY sku COLLATE "C" LIMIT $3) b
     LEFT JOIN ledger.items i ON i.sku = b.sku ORDER BY b.sku COLLATE "C"`,
    [q.site, q.after ?? null, q.limit + 1],
  );
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const takenAt = (rows[0]?.taken_at ?? new Date()).toISOString();
  return {
    items: page.map((r) => ({
      sku: r.sku,
      qty: Number(r.qty),
      ...(r.unit_cost === null ? {} : { unitCost: Number(r.unit_cost) }),
      ...(r.sku_class === null ? {} : { skuClass: r.sku_class }),
    })),
    ...(more ? { next: page[page.length - 1].sku } : {}),
    takenAt,
  };
}
