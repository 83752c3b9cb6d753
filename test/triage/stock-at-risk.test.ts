import request from 'supertest';
import { withTransaction } from '../../src/store/db';
import { projectTriage } from '../../src/triage/project';
import { upsertItemMaster } from '../../src/store/model-repo';
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
  // Reckon's model as intake and evidence leave it: the item master the ERP gave through the port,
  // 70 on hand over two bins (its running stock), no open orders
  await upsertItemMaster(api.db, { sku, description: '', skuClass: 'B', unitCost: 50, uom: 'EA', reorderPoint: 63, safetyStock: 20 }, true);
  await upsertItemMaster(api.db, { sku: quiet, description: '', skuClass: 'B', unitCost: 50, uom: 'EA' }, true);
  for (const [location, s, qty] of [['A-01', sku, 40], ['B-07', sku, 30], ['A-02', quiet, 40]] as const) {
    await api.db.query('INSERT INTO features.stock (site, location, sku, wms_qty, erp_qty) VALUES ($1, $2, $3, $4, $4)', [site, location, s, qty]);
  }
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
