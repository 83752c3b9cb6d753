import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createCountTask } from '../../fake-wms/ledger/count-tasks';
import { recordCountTask } from '../../src/store/count-tasks-repo';
import { InventoryEvent } from '../../src/domain';
import { storeEvent } from '../support/store-event';
import { seedBalance } from '../support/cases';
import { startApi, uniq, type ApiHarness } from '../api/support';

/**
 * Inventory record accuracy from count events (through intake) and a planned count task's result
 * (through POST /v1/counts), on a fixture whose figures are worked out by hand below, with the
 * default policy's counting tolerances (A: 2 units or 1 %, at most 100 in value; C: 10 units or
 * 5 %, at most 500).
 */
let api: ApiHarness;
let admin: string;
const S = uniq('IRA');
const SKU_A = uniq('SKU-A');
const SKU_C = uniq('SKU-C');
const DAY = 86_400_000;
// Monday (UTC) of the week 14 days ago: week 1 and week 2 both fall in /metrics' 28 days
const ago = new Date(Date.now() - 14 * DAY);
const monday = Date.UTC(ago.getUTCFullYear(), ago.getUTCMonth(), ago.getUTCDate()) - ((ago.getUTCDay() + 6) % 7) * DAY;
const week1 = new Date(monday + DAY + 10 * 3_600_000).toISOString();
const week2 = new Date(monday + 8 * DAY + 10 * 3_600_000).toISOString();
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const window = `from=${day(monday - 7 * DAY)}&to=${day(Date.now() + DAY)}`;

const count = (sku: string, location: string, qty: number, occurredAt: string) =>
  InventoryEvent.parse({ eventId: `CNT-${randomUUID().slice(0, 12)}`, source: 'wms', type: 'count', site: S, sku, location, qty, occurredAt, actor: { userId: 'counter1' } });

async function ira() {
  const res = await request(api.app).get(`/v1/kpis?site=${S}&${window}`).set('Authorization', admin);
  expect(res.status).toBe(200);
  return res.body.inventoryRecordAccuracy;
}

beforeAll(async () => {
  api = await startApi();
  admin = await api.bearer(['admin']);
  await api.db.query(`INSERT INTO ledger.items (sku, unit_cost, sku_class) VALUES ($1, 100, 'A'), ($2, 2, 'C')`, [SKU_A, SKU_C]);
  for (const [location, sku, qty] of [['A-01-01', SKU_A, 100], ['A-01-02', SKU_A, 50], ['B-01-01', SKU_C, 200], ['B-01-02', SKU_C, 40], ['B-01-03', SKU_C, 30]] as const) {
    await seedBalance(api.db, { site: S, location, sku, wms: qty, erp: qty });
  }
  // phase one of intake records the count (detections are not dispatched: no worker here)
  await storeEvent(api.db, count(SKU_A, 'A-01-01', 100, week1)); // exact: accurate, value 100 × 100
  await storeEvent(api.db, count(SKU_A, 'A-01-02', 49, week1)); // −1 (2 units, value 100): accurate, value 50 × 100
  await storeEvent(api.db, count(SKU_C, 'B-01-01', 185, week2)); // −15 = 7.5 % > 5 % and > 10 units: out, value 200 × 2
  await storeEvent(api.db, count(SKU_C, 'B-01-02', 38, week2)); // −2: accurate, value 40 × 2
  // a cycle-count plan's task, counted as the books say: accurate, value 30 × 2
  const planId = uniq('plan');
  await api.db.query(`INSERT INTO count_plans (id, site, top_n, considered, model_version) VALUES ($1, $2, 1, 1, 'test')`, [planId, S]);
  // asked of the (fake) WMS and recorded as Reckon's, as the write activity does
  const ask = { site: S, location: 'B-01-03', sku: SKU_C, caseId: planId, reason: 'cycle count', idempotencyKey: randomUUID() };
  const { taskId } = await createCountTask(api.db, ask);
  await recordCountTask(api.db, taskId, ask);
  const integration = await api.bearer(['integration'], [S]);
  const res = await request(api.app).post('/v1/counts').set('Authorization', integration).send({ taskId, countedQty: 30, countedBy: 'counter2', countedAt: week2 });
  expect(res.status).toBe(202);
  expect(res.body.caseId).toBeNull();
});
afterAll(async () => {
  expect(api.serverErrors).toEqual([]);
  await api.close();
});

it('IRA by site, zone, class and week, count- and value-weighted, equals the figures worked out by hand', async () => {
  const k = await ira();
  // 4 of 5 counts accurate; value 10000 + 5000 + 400 + 80 + 60 = 15540, accurate all but the 400
  expect(k.overall).toEqual({ counts: 5, accurate: 4, rate: 0.8, value: 15540, accurateValue: 15140, valueRate: 15140 / 15540 });
  expect(k.bySite).toEqual([{ site: S, counts: 5, accurate: 4, rate: 0.8, value: 15540, accurateValue: 15140, valueRate: 15140 / 15540 }]);
  expect(k.byZone).toEqual([
    { site: S, zone: 'A', counts: 2, accurate: 2, rate: 1, value: 15000, accurateValue: 15000, valueRate: 1 },
    { site: S, zone: 'B', counts: 3, accurate: 2, rate: 2 / 3, value: 540, accurateValue: 140, valueRate: 140 / 540 },
  ]);
  expect(k.byClass).toEqual([
    { skuClass: 'A', counts: 2, accurate: 2, rate: 1, value: 15000, accurateValue: 15000, valueRate: 1 },
    { skuClass: 'C', counts: 3, accurate: 2, rate: 2 / 3, value: 540, accurateValue: 140, valueRate: 140 / 540 },
  ]);
  expect(k.byWeek).toEqual([
    { week: day(monday), counts: 2, accurate: 2, rate: 1, value: 15000, accurateValue: 15000, valueRate: 1 },
    { week: day(monday + 7 * DAY), counts: 3, accurate: 2, rate: 2 / 3, value: 540, accurateValue: 140, valueRate: 140 / 540 },
  ]);
});

it('moves when a count out of tolerance is added; a redelivered count changes nothing', async () => {
  const bad = count(SKU_A, 'A-01-01', 90, week2); // −10 on an A item: out, value 100 × 100
  await storeEvent(api.db, bad);
  await storeEvent(api.db, bad);
  const k = await ira();
  expect(k.overall).toEqual({ counts: 6, accurate: 4, rate: 4 / 6, value: 25540, accurateValue: 15140, valueRate: 15140 / 25540 });
  expect(k.byClass[0]).toEqual({ skuClass: 'A', counts: 3, accurate: 2, rate: 2 / 3, value: 25000, accurateValue: 15000, valueRate: 0.6 });

  const metrics = await request(api.app).get('/metrics');
  expect(metrics.status).toBe(200);
  expect(metrics.text).toContain(`reckon_inventory_record_accuracy{site="${S}",weighting="count"} ${4 / 6}`);
  expect(metrics.text).toContain(`reckon_inventory_record_accuracy{site="${S}",weighting="value"} ${15140 / 25540}`);
  expect(metrics.text).toContain(`reckon_inventory_record_accuracy_counts{site="${S}"} 6`);
});
