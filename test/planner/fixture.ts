import type { Pool } from 'pg';
import type { CaseState, DiscrepancyReportInput } from '../../src/domain';

/** A site's SKU codes in the fixture: the item master is shared by every site, so they carry the site. */
export const fixtureSku = (site: string, code: string) => `${site}-${code}`;

type AddCase = (report: Partial<DiscrepancyReportInput>, status: CaseState['status'], resolution?: CaseState['resolution']) => Promise<unknown>;

/**
 * What Reckon's own model holds for a site (as its events and the WMS/ERP taught it), with five
 * bins of known risk (count-risk-v1):
 *   BIN-A  two true errors, 30 picked in 30 days, 1000 at cost, never counted      ≈ 24.05
 *   BIN-E  one open case, two SKUs, 100 at cost, never counted                      ≈ 8.33
 *   BIN-B  50000 at cost, counted 60 days ago                                        ≈ 3.80
 *   BIN-C  100 at cost, counted 5 days ago; its only case was rejected (a false positive) ≈ 0.43
 *   BIN-D  an open count task: not planned again
 */
export async function seedPlannerFixture(db: Pool, site: string, addCase: AddCase): Promise<void> {
  const sku = (code: string) => fixtureSku(site, code);
  const items: [string, number][] = [['A1', 10], ['B1', 10], ['C1', 10], ['D1', 10], ['E1', 1], ['E2', 1]];
  for (const [code, cost] of items) {
    await db.query(
      `INSERT INTO model.items (sku, unit_cost, sku_class) VALUES ($1, $2, 'C') ON CONFLICT (sku) DO UPDATE SET unit_cost = EXCLUDED.unit_cost`,
      [sku(code), cost],
    );
  }
  const balances: [string, string, number][] = [['BIN-A', 'A1', 100], ['BIN-B', 'B1', 5000], ['BIN-C', 'C1', 10], ['BIN-D', 'D1', 10], ['BIN-E', 'E1', 50], ['BIN-E', 'E2', 50]];
  for (const [location, code, qty] of balances) {
    await db.query('INSERT INTO features.stock (site, location, sku, wms_qty, erp_qty) VALUES ($1, $2, $3, $4, $4)', [site, location, sku(code), qty]);
  }
  await db.query(
    `INSERT INTO model.movements (id, site, location, sku, type, qty, occurred_at) VALUES ($1, $2, 'BIN-A', $3, 'pick', -30, now() - interval '2 days')`,
    [`${site}-TX-1`, site, sku('A1')],
  );
  await db.query(
    `INSERT INTO model.counts (id, site, location, sku, counted_qty, counted_at) VALUES
       ($1, $2, 'BIN-B', $3, 5000, now() - interval '60 days'), ($4, $2, 'BIN-C', $5, 10, now() - interval '5 days')`,
    [`${site}-CNT-B`, site, sku('B1'), `${site}-CNT-C`, sku('C1')],
  );
  await db.query(
    `INSERT INTO count_tasks (id, site, location, sku, owner_id, reason) VALUES ($1, $2, 'BIN-D', $3, 'seed', 'recount')`,
    [`${site}-CT-D`, site, sku('D1')],
  );
  const report = (location: string, code: string): Partial<DiscrepancyReportInput> => ({ site, location, sku: sku(code), expectedQty: 10, observedQty: 8 });
  await addCase(report('BIN-A', 'A1'), 'awaiting_approval');
  await addCase({ ...report('BIN-A', 'A1'), reference: { kind: 'other', id: `${site}-second` } }, 'closed', 'approved_adjusted');
  await addCase(report('BIN-E', 'E1'), 'awaiting_approval');
  await addCase(report('BIN-C', 'C1'), 'closed', 'rejected_no_change');
}
