import request from 'supertest';
import { withTransaction } from '../../src/store/db';
import { projectTriage } from '../../src/triage/project';
import { seedBalance } from '../support/cases';
import { insertCase, startApi, uniq, type ApiHarness } from '../api/support';

/**
 * Stock at risk in the projection: a case's correction against the sku's available stock and the
 * ERP's reorder point (item master) raises its triage priority and says so, and the KPIs list the
 * sku while the case is open.
 */
let api: ApiHarness;
let admin: string;
const site = uniq('SAR');
const sku = uniq('SKU-R');
const quiet = uniq('SKU-Q');

beforeAll(async () => {
  api = await startApi();
  admin = await api.bearer(['admin']);
  await api.db.query(`INSERT INTO ledger.items (sku, unit_cost, sku_class, reorder_point, safety_stock) VALUES ($1, 50, 'B', 63, 20), ($2, 50, 'B', NULL, NULL)`, [sku, quiet]);
  // 70 on hand over two bins, no open orders
  await seedBalance(api.db, { site, location: 'A-01', sku, wms: 40, erp: 40 });
  await seedBalance(api.db, { site, location: 'B-07', sku, wms: 30, erp: 30 });
  await seedBalance(api.db, { site, location: 'A-02', sku: quiet, wms: 40, erp: 40 });
});
afterAll(async () => {
  expect(api.serverErrors).toEqual([]);
  await api.close();
});

async function project(report: { sku: string; location: string }) {
  const state = await insertCase(api.db, { status: 'awaiting_approval', report: { site, kind: 'count_variance', expectedQty: 40, observedQty: 30, unitCost: 50, ...report } });
  await withTransaction(api.db, (c) => projectTriage(c, state, 30));
  const { rows } = await api.db.query('SELECT triage_score, triage_band, triage FROM discrepancies WHERE id = $1', [state.caseId]);
  return { caseId: state.caseId, ...rows[0] };
}

it('a correction that takes available stock below the reorder point raises the priority, with the reason in the explanation; the KPIs list the sku', async () => {
  const risky = await project({ sku, location: 'A-01' });
  // 500 at risk on a sku that does not move: 10·log10(501) = 27.0, P4; the crossing adds a band
  expect(Number(risky.triage_score)).toBe(37);
  expect(risky.triage_band).toBe('P3');
  expect(risky.triage.availability).toMatchObject({ availableBefore: 70, correction: -10, availableAfter: 60, reorderPoint: 63, safetyStock: 20, source: 'erp', crossesReorderPoint: true, raise: 10 });
  expect(risky.triage.explanation).toContain('the correction takes available stock from 70 to 60, below the reorder point (reorder point 63, safety stock 20 (from the ERP)): replenishment on the books is wrong, raised 1 band');

  // no ERP levels and no movement: no level to cross, the priority is as before
  const calm = await project({ sku: quiet, location: 'A-02' });
  expect(Number(calm.triage_score)).toBe(27);
  expect(calm.triage.availability).toBeUndefined();

  const res = await request(api.app).get(`/v1/kpis?site=${site}`).set('Authorization', admin);
  expect(res.status).toBe(200);
  expect(res.body.replenishmentAtRisk).toEqual([
    { site, sku, openCases: 1, correction: -10, availableBefore: 70, availableAfter: 60, reorderPoint: 63, caseIds: [risky.caseId] },
  ]);
});
