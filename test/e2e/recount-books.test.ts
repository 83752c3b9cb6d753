import type { Persona } from '../support/api';
import { adjustmentsFor, seedBalance } from '../support/cases';
import { useEngineWithApi, WMS_INTEGRATION } from '../support/e2e';
import { eventually, uniq } from '../support/engine';

/**
 * A recount comes hours after the count that opened the case; the bin keeps being picked
 * meanwhile. The recount must be compared with the books as they are when it comes in, or the
 * picks in between are booked as a variance.
 */
const e2e = useEngineWithApi();
const wms = WMS_INTEGRATION;
const caseRow = e2e.caseRow;

async function recount(site: string, sku: string, opened: { wms: number; counted: number }, picked: number, recounted: number) {
  await seedBalance(e2e.engine.db, { site, location: 'P-01-01', sku, wms: opened.wms, erp: opened.wms });
  const res = await (await e2e.api.as(wms)).post('/v1/discrepancies', {
    kind: 'count_variance', site, sku, location: 'P-01-01', expectedQty: opened.wms, observedQty: opened.counted,
    unitCost: 10, skuClass: 'C', source: 'wms', causedBy: ['counter1'],
  });
  expect(res.status).toBe(202);
  const id = res.body.id as string;
  await caseRow(id, ['awaiting_recount']);
  const task = await eventually(async () => (await e2e.engine.db.query(`SELECT id FROM count_tasks WHERE owner_id = $1 AND status = 'open'`, [id])).rows[0]);
  // picks from the bin between the first count and the recount: books and shelf move together
  await e2e.engine.db.query('UPDATE ledger.balances SET wms_qty = wms_qty - $4, erp_qty = erp_qty - $4 WHERE site = $1 AND location = $2 AND sku = $3', [
    site, 'P-01-01', sku, picked,
  ]);
  const counted = await (await e2e.api.as(wms)).post('/v1/counts', { taskId: task.id, countedQty: recounted, countedBy: 'counter2' });
  expect(counted.status).toBe(202);
  return id;
}

it('a recount that agrees with the books after picks closes with no change', async () => {
  const site = uniq('DC');
  const sku = uniq('SKU');
  // the first count said 80 of 100; 30 were picked since; the recount finds the 70 the books say
  const id = await recount(site, sku, { wms: 100, counted: 80 }, 30, 70);
  const closed = await caseRow(id, ['closed']);
  expect(closed.resolution).toBe('resolved_by_recount');
  expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([]);
  const { rows } = await e2e.engine.db.query(`SELECT detail FROM audit_log WHERE case_id = $1 AND action = 'evidence_gathered' ORDER BY seq`, [id]);
  expect(rows.at(-1).detail).toMatchObject({ expectedQty: 70, expectedQtyBefore: 100 });
});

it('a recount that confirms the loss after picks asks for the loss alone, and the approved adjustment leaves the books at the shelf', async () => {
  const site = uniq('DC');
  const sku = uniq('SKU');
  // 20 of 100 missing; 30 picked since: the shelf holds 50, the books say 70
  const id = await recount(site, sku, { wms: 100, counted: 80 }, 30, 50);
  const waiting = await caseRow(id, ['awaiting_approval']);
  expect([Number(waiting.expected_qty), Number(waiting.observed_qty)]).toEqual([70, 50]);
  const approver: Persona = { userId: 'ic-books', roles: ['inventory_control'], sites: [site] };
  const approved = await (await e2e.api.as(approver)).post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'COUNT_CONFIRMED' });
  expect(approved.status).toBe(200);
  await caseRow(id, ['closed']);
  expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([{ qty: -20, actor: 'ic-books', idempotencyKey: `${id}:adjust` }]);
  const { rows } = await e2e.engine.db.query('SELECT wms_qty FROM ledger.balances WHERE site = $1 AND sku = $2', [site, sku]);
  expect(Number(rows[0].wms_qty)).toBe(50);
});

it('a negative balance recounted as an empty shelf is corrected to zero, not closed as the system says', async () => {
  const site = uniq('DC');
  const sku = uniq('SKU');
  await seedBalance(e2e.engine.db, { site, location: 'N-01-01', sku, wms: -4, erp: -4 });
  const res = await (await e2e.api.as(wms)).post('/v1/discrepancies', {
    kind: 'negative_inventory', site, sku, location: 'N-01-01', expectedQty: 0, observedQty: -4, unitCost: 10, skuClass: 'C', source: 'wms',
  });
  expect(res.status).toBe(202);
  const id = res.body.id as string;
  await caseRow(id, ['awaiting_recount']);
  const task = await eventually(async () => (await e2e.engine.db.query(`SELECT id FROM count_tasks WHERE owner_id = $1 AND status = 'open'`, [id])).rows[0]);
  expect((await (await e2e.api.as(wms)).post('/v1/counts', { taskId: task.id, countedQty: 0, countedBy: 'counter2' })).status).toBe(202);
  const row = await caseRow(id, ['closed', 'awaiting_approval']);
  expect([Number(row.expected_qty), Number(row.observed_qty)]).toEqual([-4, 0]);
  if (row.status === 'awaiting_approval') {
    const approver: Persona = { userId: 'sup-neg', roles: ['inventory_control', 'site_supervisor', 'ops_manager'], sites: [site] };
    expect((await (await e2e.api.as(approver)).post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'COUNT_CONFIRMED' })).status).toBe(200);
  }
  const closed = await caseRow(id, ['closed']);
  expect(closed.resolution).not.toBe('resolved_by_recount');
  expect((await adjustmentsFor(e2e.engine.db, site, sku)).map((a) => a.qty)).toEqual([4]);
  const { rows } = await e2e.engine.db.query('SELECT wms_qty FROM ledger.balances WHERE site = $1 AND sku = $2', [site, sku]);
  expect(Number(rows[0].wms_qty)).toBe(0);
});

it('a count result carrying the books at count time is compared with them, whatever moved after', async () => {
  const site = uniq('DC');
  const sku = uniq('SKU');
  // 20 of 100 missing; when counted the books said 70 and the shelf held 50; 10 more picked since
  await seedBalance(e2e.engine.db, { site, location: 'P-01-01', sku, wms: 100, erp: 100 });
  const res = await (await e2e.api.as(wms)).post('/v1/discrepancies', {
    kind: 'count_variance', site, sku, location: 'P-01-01', expectedQty: 100, observedQty: 80, unitCost: 10, skuClass: 'C', source: 'wms', causedBy: ['counter1'],
  });
  const id = res.body.id as string;
  await caseRow(id, ['awaiting_recount']);
  const task = await eventually(async () => (await e2e.engine.db.query(`SELECT id FROM count_tasks WHERE owner_id = $1 AND status = 'open'`, [id])).rows[0]);
  await e2e.engine.db.query('UPDATE ledger.balances SET wms_qty = 60, erp_qty = 60 WHERE site = $1 AND sku = $2', [site, sku]);
  const counted = await (await e2e.api.as(wms)).post('/v1/counts', { taskId: task.id, countedQty: 50, countedBy: 'counter2', bookQty: 70 });
  expect(counted.status).toBe(202);
  const waiting = await caseRow(id, ['awaiting_approval']);
  expect([Number(waiting.expected_qty), Number(waiting.observed_qty)]).toEqual([70, 50]);
  const stored = (await e2e.engine.db.query('SELECT book_qty FROM count_tasks WHERE id = $1', [task.id])).rows[0];
  expect(Number(stored.book_qty)).toBe(70);
});
