import { createHttpAdapters } from '../../src/adapters/http';
import type { WmsPort } from '../../src/adapters/ports';
import type { InventoryEventInput } from '../../src/domain';
import { createLogger } from '../../src/logger';
import { applyCorrectionToModel } from '../../src/store/model-corrections';
import { fakeWmsPorts } from '../../src/wiring/fake-wms';
import { casesAt, ev, integration, postEvents, startDetection } from '../detection/support';
import type { Api } from '../support/api';
import { seedBalance } from '../support/cases';
import { eventually, uniq, type Engine } from '../support/engine';

/**
 * A WMS that emits every adjustment as an event also emits the corrections Reckon posted
 * through it. Reckon moved its own balances when it posted the correction; the echo is stored
 * (and is history) but must not move them again, nor open a case about Reckon's own write.
 */
let engine: Engine;
let api: Api;
let wms: WmsPort;

beforeAll(async () => {
  ({ engine, api } = await startDetection());
  // the WMS as the engine reaches it: the embedded fake, or the fake over the REST contract
  wms = engine.remote
    ? createHttpAdapters({
        wmsUrl: engine.config.WMS_HTTP_URL, erpUrl: engine.config.ERP_HTTP_URL, apiKey: engine.config.ADAPTER_HTTP_API_KEY,
        timeoutMs: 5000, circuit: { failures: 5, resetMs: 1000 }, masterDataTtlSeconds: 60, logger: createLogger({ LOG_LEVEL: 'silent' }, 'test'),
      }).wms
    : fakeWmsPorts(engine.db).wms;
}, 60_000);
afterAll(async () => {
  await api?.stop();
  await engine?.stop();
});

async function stockOf(site: string, location: string, sku: string): Promise<[number, number]> {
  const { rows } = await engine.db.query('SELECT wms_qty, erp_qty FROM features.stock WHERE site = $1 AND location = $2 AND sku = $3', [site, location, sku]);
  return [Number(rows[0].wms_qty), Number(rows[0].erp_qty)];
}

/** Reckon holds the bin at 120; a count 2 short at 10 each is inside tolerance: the case posts -2 and closes itself. */
async function autoResolvedCorrection(site: string, sku: string, location: string) {
  await seedBalance(engine.db, { site, location, sku, wms: 120, erp: 120 });
  const since = new Date(Date.now() - 60_000).toISOString();
  const seen = await postEvents(api, ev({ type: 'count', site, sku, location, qty: 120, attributes: { unitCost: 10, skuClass: 'B' } }));
  expect(seen.body).toMatchObject({ status: 'accepted', cases: [] });
  expect(await stockOf(site, location, sku)).toEqual([120, 120]);
  const reported = await (await api.as(integration)).post('/v1/discrepancies', {
    kind: 'count_variance', site, sku, location, expectedQty: 120, observedQty: 118,
    unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds: [uniq('CNT')],
  });
  expect(reported.status).toBe(202);
  const caseId = reported.body.id as string;
  await eventually(async () => (await engine.db.query(`SELECT 1 FROM discrepancies WHERE id = $1 AND resolution = 'auto_resolved'`, [caseId])).rowCount === 1, 60_000);
  // Reckon's balances moved with the correction: 118 in both views
  expect(await stockOf(site, location, sku)).toEqual([118, 118]);
  const adjustments = await wms.listAdjustments({ site, sku, location }, since);
  expect(adjustments).toHaveLength(1);
  return { caseId, adjustment: adjustments[0] };
}

/** The event a WMS emits for its adjustment: under the adjustment's own id. */
function echoOf(site: string, sku: string, location: string, a: { id: string; qty: number; userId?: string; reasonCode: string; occurredAt: string }, extra: Partial<InventoryEventInput> = {}): InventoryEventInput {
  return ev({ eventId: a.id, type: 'adjustment', site, sku, location, qty: a.qty, reasonCode: a.reasonCode, occurredAt: a.occurredAt, actor: a.userId ? { userId: a.userId } : undefined, ...extra });
}

it("the WMS echoing Reckon's correction is stored, counted once in Reckon's stock and opens no case", async () => {
  const site = uniq('ECHO');
  const sku = uniq('SKU');
  const { caseId, adjustment } = await autoResolvedCorrection(site, sku, 'A-01');
  const echo = echoOf(site, sku, 'A-01', adjustment);

  const first = await postEvents(api, echo);
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ status: 'accepted', cases: [] });
  expect(await stockOf(site, 'A-01', sku)).toEqual([118, 118]);
  // stored and processed like any event; the correction names the event that echoed it
  const stored = await engine.db.query('SELECT processed_at FROM inventory_events WHERE site = $1 AND event_id = $2', [site, adjustment.id]);
  expect(stored.rows[0].processed_at).not.toBeNull();
  const correction = await engine.db.query('SELECT adjustment_id, echo_event FROM model.corrections WHERE case_id = $1', [caseId]);
  expect(correction.rows).toEqual([{ adjustment_id: adjustment.id, echo_event: `wms:${adjustment.id}` }]);

  // a redelivery changes nothing either
  const again = await postEvents(api, echo);
  expect(again.body).toMatchObject({ status: 'duplicate' });
  expect(await stockOf(site, 'A-01', sku)).toEqual([118, 118]);
  expect((await casesAt(engine, site)).map((c) => c.id)).toEqual([caseId]);
  expect((await engine.db.query('SELECT count(*)::int AS n FROM detections WHERE report->>\'site\' = $1', [site])).rows[0].n).toBe(0);

  // the stock is right for what follows: a pick of 18 leaves 100, a count of 100 opens nothing
  await postEvents(api, ev({ type: 'pick', site, sku, location: 'A-01', qty: 18, attributes: { postedToErp: true } }));
  const count = await postEvents(api, ev({ type: 'count', site, sku, location: 'A-01', qty: 100, attributes: { unitCost: 10, skuClass: 'B' } }));
  expect(count.body).toMatchObject({ status: 'accepted', cases: [] });
  expect(await stockOf(site, 'A-01', sku)).toEqual([100, 100]);
});

it('an echo naming the correction by its idempotency key is recognised too; an unrelated adjustment still counts', async () => {
  const site = uniq('ECHO');
  const sku = uniq('SKU');
  const { caseId, adjustment } = await autoResolvedCorrection(site, sku, 'B-02');
  const echo = echoOf(site, sku, 'B-02', adjustment, { eventId: uniq('WMS-EV'), attributes: { idempotencyKey: `${caseId}:adjust` } });
  expect((await postEvents(api, echo)).body).toMatchObject({ status: 'accepted', cases: [] });
  expect(await stockOf(site, 'B-02', sku)).toEqual([118, 118]);

  // a person's adjustment at the same bin is not Reckon's: it moves the stock
  const other = await postEvents(api, ev({ type: 'adjustment', site, sku, location: 'B-02', qty: 3, reasonCode: 'FOUND', attributes: { unitCost: 10, skuClass: 'B' } }));
  expect(other.body.status).toBe('accepted');
  expect(await stockOf(site, 'B-02', sku)).toEqual([121, 121]);
});

it('an echo stored before Reckon applied its correction moves the stock once: the correction then leaves it', async () => {
  const site = uniq('ECHO');
  const sku = uniq('SKU');
  await seedBalance(engine.db, { site, location: 'C-03', sku, wms: 50, erp: 50 });
  await postEvents(api, ev({ type: 'count', site, sku, location: 'C-03', qty: 50, attributes: { unitCost: 10, skuClass: 'B' } }));
  expect(await stockOf(site, 'C-03', sku)).toEqual([50, 50]);
  // the WMS answered the post with its id and emitted the event before the activity recorded it
  const adjustmentId = uniq('ADJ');
  await postEvents(api, ev({ eventId: adjustmentId, type: 'adjustment', site, sku, location: 'C-03', qty: -4, reasonCode: 'CYCLE_COUNT' }));
  expect(await stockOf(site, 'C-03', sku)).toEqual([46, 46]);
  const cmd = { site, sku, location: 'C-03', qty: -4, target: 'both' as const, reasonCode: 'CYCLE_COUNT', caseId: uniq('case'), actor: 'rule:test', idempotencyKey: uniq('key') };
  expect(await applyCorrectionToModel(engine.db, cmd, adjustmentId)).toBe(false);
  expect(await stockOf(site, 'C-03', sku)).toEqual([46, 46]);
  const row = await engine.db.query('SELECT echo_event FROM model.corrections WHERE idempotency_key = $1', [cmd.idempotencyKey]);
  expect(row.rows[0].echo_event).toBe(`wms:${adjustmentId}`);
});
