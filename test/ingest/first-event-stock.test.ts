import type { Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { httpIntakeLookups } from '../../src/ingest/stock-lookup';
import { createLogger } from '../../src/logger';
import { createPool } from '../../src/store/db';
import { startLedgerRemote, type LedgerRemote } from '../contract/servers';
import { seedBalance } from '../support/cases';
import { startApi, type Api } from '../support/api';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { casesAt, ev, postEvents, waitForCases } from '../detection/support';

/**
 * ADAPTER=http: Reckon builds each bin's stock from the events it receives. For a bin it has
 * never heard of, the intake asks the WMS/ERP (the fake, over the REST contract) first, so the
 * first pick from a stocked bin is not negative stock, and a count compares with real books.
 */
let pool: Pool;
let remote: LedgerRemote;
let engine: Engine;
let api: Api;
let blind: Api;

beforeAll(async () => {
  pool = createPool(loadConfig().DATABASE_URL, 5);
  remote = await startLedgerRemote(pool);
  engine = await startEngine({ ADAPTER: 'http', WMS_HTTP_URL: remote.wmsUrl, ERP_HTTP_URL: remote.erpUrl, ADAPTER_HTTP_API_KEY: remote.apiKey });
  api = await startApi(engine, { intakePorts: httpIntakeLookups(engine.config, createLogger({ LOG_LEVEL: 'silent' }, 'test')) });
  blind = await startApi(engine, { intakePorts: {} });
}, 60_000);
afterAll(async () => {
  await api?.stop();
  await blind?.stop();
  await engine?.stop();
  await remote?.stop();
  await pool?.end();
});

it('a first pick from a bin the WMS holds stock in opens nothing; a later count is compared with the WMS’s books less the pick', async () => {
  const site = uniq('DC');
  const sku = uniq('SKU');
  await seedBalance(pool, { site, location: 'P-01', sku, wms: 100, erp: 100 });
  const pick = await postEvents(api, ev({ type: 'pick', site, sku, location: 'P-01', qty: 5, attributes: { unitCost: 10, skuClass: 'B' } }));
  expect(pick.body).toMatchObject({ status: 'accepted', cases: [] });
  const stock = await engine.db.query('SELECT wms_qty, erp_qty FROM features.stock WHERE site = $1 AND sku = $2 AND location = $3', [site, sku, 'P-01']);
  expect(stock.rows.map((r) => [Number(r.wms_qty), Number(r.erp_qty)])).toEqual([[95, 100]]);
  expect(remote.requests.some((r) => r.path.endsWith('/balances'))).toBe(true);

  const count = await postEvents(api, ev({ type: 'count', site, sku, location: 'P-01', qty: 80, attributes: { unitCost: 10, skuClass: 'B' } }));
  expect(count.body.cases).toHaveLength(1);
  const [c] = await waitForCases(engine, site, 'count_variance');
  expect([Number(c.expected_qty), Number(c.observed_qty)]).toEqual([95, 80]);
  expect(await casesAt(engine, site, 'negative_inventory')).toEqual([]);
  // triage ranks it with the sku's velocity from the movements Reckon learned (the pick of 5)
  const triage = await eventually(async () => (await engine.db.query('SELECT triage FROM discrepancies WHERE id = $1 AND triage IS NOT NULL', [c.id])).rows[0]?.triage);
  expect(triage.sources.velocity).toBe('events');
});

it('without the lookup the same first pick looks like negative stock (what the lookup prevents)', async () => {
  const site = uniq('DC');
  const sku = uniq('SKU');
  await seedBalance(pool, { site, location: 'P-01', sku, wms: 100, erp: 100 });
  const pick = await postEvents(blind, ev({ type: 'pick', site, sku, location: 'P-01', qty: 5, attributes: { unitCost: 10, skuClass: 'B' } }));
  expect(pick.body.cases.length).toBeGreaterThanOrEqual(1);
  await eventually(async () => (await casesAt(engine, site, 'negative_inventory')).length === 1);
});

it('the cycle-count planner plans a site from the stock and movements Reckon learned from events', async () => {
  const site = uniq('PLN');
  const sku = (n: number) => `${site}-S${n}`;
  const item = { unitCost: 20, skuClass: 'B' as const };
  // three bins stocked by events; one moves a lot, one was counted today
  for (const [bin, n] of [['E-01', 1], ['E-02', 2], ['E-03', 3]] as const) {
    await postEvents(api, ev({ type: 'receipt', site, sku: sku(n), location: bin, qty: 100, attributes: { ...item, postedToErp: true } }));
  }
  for (let i = 0; i < 6; i++) await postEvents(api, ev({ type: 'pick', site, sku: sku(1), location: 'E-01', qty: 5, attributes: { ...item, postedToErp: true } }));
  await postEvents(api, ev({ type: 'count', site, sku: sku(3), location: 'E-03', qty: 100, attributes: item }));

  const result = await engine.client.workflow.execute('cycleCountPlanner', {
    workflowId: uniq(`cycle-count-plan-${site}`),
    taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
    args: [{ site, topN: 2 }],
  });
  expect(result).toMatchObject({ site, considered: 3, planned: 2, tasksCreated: 2 });
  const { rows } = await engine.db.query<{ location: string }>('SELECT location FROM count_plan_items WHERE plan_id = $1 ORDER BY rank', [(result as { planId: string }).planId]);
  const locations = rows.map((i) => i.location);
  // the moving bin first; the bin counted today last (left out of the top 2)
  expect(locations[0]).toBe('E-01');
  expect(locations).not.toContain('E-03');

  // the WMS (over HTTP) holds the tasks; Reckon takes their results from its own record of them
  const planId = (result as { planId: string }).planId;
  const tasks = (await engine.db.query<{ id: string; location: string }>('SELECT id, location FROM count_tasks WHERE owner_id = $1 ORDER BY location', [planId])).rows;
  expect(tasks.map((t) => t.location)).toEqual(locations.slice().sort());
  expect(remote.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/count-tasks') && r.idempotencyKey?.startsWith(`ccp:${planId}:`))).toHaveLength(2);
  const wms = await api.as({ userId: 'wms-feed', roles: ['integration'], sites: [site] });
  const short = await wms.post('/v1/counts', { taskId: tasks.find((t) => t.location === 'E-01')!.id, countedQty: 60, countedBy: 'counter-3' });
  expect(short.status).toBe(202);
  expect(short.body).toMatchObject({ planId, caseId: expect.any(String) });
  // Reckon's books at E-01 after six picks of 5: 70; counted 60
  const [c] = await waitForCases(engine, site, 'count_variance');
  expect([Number(c.expected_qty), Number(c.observed_qty)]).toEqual([70, 60]);
});

it("stock at risk weighs the ERP's reorder point, read from the item master over HTTP", async () => {
  const site = uniq('SAR');
  const sku = uniq('SKU-R');
  await pool.query(`INSERT INTO ledger.items (sku, unit_cost, sku_class, reorder_point, safety_stock) VALUES ($1, 50, 'B', 63, 20)`, [sku]);
  await seedBalance(pool, { site, location: 'A-01', sku, wms: 40, erp: 40 });
  await seedBalance(pool, { site, location: 'B-07', sku, wms: 30, erp: 30 });
  // Reckon hears of both bins (their stock taken from the WMS), then a count 10 short at A-01
  await postEvents(api, ev({ type: 'count', site, sku, location: 'B-07', qty: 30 }));
  const count = await postEvents(api, ev({ type: 'count', site, sku, location: 'A-01', qty: 30 }));
  expect(count.body.cases).toHaveLength(1);
  const [c] = await waitForCases(engine, site, 'count_variance');
  const triage = await eventually(async () => (await engine.db.query('SELECT triage FROM discrepancies WHERE id = $1 AND triage IS NOT NULL', [c.id])).rows[0]?.triage);
  expect(triage.availability).toMatchObject({ availableBefore: 70, correction: -10, reorderPoint: 63, safetyStock: 20, source: 'erp', crossesReorderPoint: true });
  expect(remote.requests.some((r) => r.path.endsWith(`/items/${sku}`))).toBe(true);
});
