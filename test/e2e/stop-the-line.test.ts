import { adjustmentsFor, seedBalance } from '../support/cases';
import { useEngineWithApi, WMS_INTEGRATION } from '../support/e2e';
import { eventually, uniq } from '../support/engine';
import { RECOUNT_TIMEOUT_SITE, TEST_POLICY } from '../support/test-policy';

const e2e = useEngineWithApi();
const wms = WMS_INTEGRATION;
const row = e2e.caseRow;

async function holds(caseId: string) {
  return (await e2e.engine.db.query('SELECT qty, released_at FROM ledger.holds WHERE case_id = $1', [caseId])).rows.map((h) => ({
    qty: Number(h.qty),
    released: h.released_at !== null,
  }));
}

it('critical severity stops the line: the stock is held before anyone reviews; approval adjusts and releases the hold', async () => {
  const site = uniq('DC');
  const sku = uniq('SKU');
  await seedBalance(e2e.engine.db, { site, location: 'A-09-01', sku, wms: 400, erp: 400 });
  // phantom stock: 300 the system believes in are not there, at 120 each = 36 000 ≥ criticalFromValue
  const res = await (await e2e.api.as(wms)).post('/v1/discrepancies', {
    kind: 'phantom_stock', site, sku, location: 'A-09-01', expectedQty: 400, observedQty: 100, unitCost: 120, skuClass: 'A', source: 'wms',
  });
  expect(res.status).toBe(202);
  const id = res.body.id as string;
  const waiting = await row(id, ['awaiting_approval']);
  expect(waiting.severity).toBe('critical');
  expect(waiting.owner_role).toBe(TEST_POLICY.ladders.critical.rungs[0].role);
  expect(await holds(id)).toEqual([{ qty: 300, released: false }]);
  const order = (await e2e.engine.db.query(`SELECT action FROM audit_log WHERE case_id = $1 ORDER BY seq`, [id])).rows.map((r) => r.action);
  expect(order.indexOf('hold_placed')).toBeLessThan(order.indexOf('approval_requested'));

  const ops1 = await e2e.api.as({ userId: 'ops-1', roles: ['ops_manager'], sites: [site] });
  const ops2 = await e2e.api.as({ userId: 'ops-2', roles: ['ops_manager'], sites: [site] });
  expect((await ops1.post(`/v1/discrepancies/${id}/assign`, { assignee: 'ops-1' })).status).toBe(200);
  // the read model follows the workflow a moment later
  await eventually(async () => (await row(id, ['awaiting_approval'])).assignee === 'ops-1');
  expect((await ops1.post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'WRITE_OFF' })).status).toBe(200);
  expect(await holds(id)).toEqual([{ qty: 300, released: false }]);
  expect((await ops2.post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'WRITE_OFF' })).status).toBe(200);

  const closed = await row(id, ['closed']);
  expect(closed.resolution).toBe('approved_adjusted');
  expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([{ qty: -300, actor: 'ops-2', idempotencyKey: `${id}:adjust` }]);
  expect(await holds(id)).toEqual([{ qty: 300, released: true }]);
});

it('an approver can send a case back for a recount; a recount that finds the system right closes with no change', async () => {
  const site = uniq('DC');
  const sku = uniq('SKU');
  await seedBalance(e2e.engine.db, { site, location: 'D-01-01', sku, wms: 50, erp: 50 });
  const res = await (await e2e.api.as(wms)).post('/v1/discrepancies', {
    kind: 'receiving_variance', site, sku, location: 'D-01-01', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 50, observedQty: 30, unitCost: 5, skuClass: 'C', source: 'erp',
  });
  const id = res.body.id as string;
  await row(id, ['awaiting_approval']);
  const ic = await e2e.api.as({ userId: 'ic-rc', roles: ['inventory_control'], sites: [site] });
  const asked = await ic.post(`/v1/discrepancies/${id}/recount`, { comment: 'dock says the pallet was split' });
  expect(asked.status).toBe(200);
  const task = await eventually(async () => (await e2e.engine.db.query(`SELECT id FROM count_tasks WHERE owner_id = $1`, [id])).rows[0]);
  const counted = await (await e2e.api.as(wms)).post('/v1/counts', { taskId: task.id, countedQty: 50, countedBy: 'counter-x' });
  expect(counted.status).toBe(202);
  const closed = await row(id, ['closed']);
  expect(closed.resolution).toBe('resolved_by_recount');
  expect(await adjustmentsFor(e2e.engine.db, site, sku)).toEqual([]);
});

it('a recount that never comes back times out to a person', async () => {
  const site = RECOUNT_TIMEOUT_SITE;
  const sku = uniq('SKU');
  await seedBalance(e2e.engine.db, { site, location: 'E-01-01', sku, wms: 100, erp: 100 });
  const res = await (await e2e.api.as(wms)).post('/v1/discrepancies', {
    kind: 'count_variance', site, sku, location: 'E-01-01', expectedQty: 100, observedQty: 70, unitCost: 4, skuClass: 'C', source: 'wms',
  });
  const id = res.body.id as string;
  await row(id, ['awaiting_recount']);
  // the suite's policy gives a recount 5 s at this site (5 min elsewhere)
  const waiting = await row(id, ['awaiting_approval']);
  expect(waiting.owner_role).toBe(TEST_POLICY.ladders.review.rungs[0].role);
  const actions = (await e2e.engine.db.query(`SELECT action FROM audit_log WHERE case_id = $1 ORDER BY seq`, [id])).rows.map((r) => r.action);
  expect(actions).toEqual(expect.arrayContaining(['count_task_created', 'recount_timed_out', 'approval_requested']));
}, 60_000);
