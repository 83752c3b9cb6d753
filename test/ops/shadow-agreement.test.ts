import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { InventoryEvent } from '../../src/domain';
import { storeEvent } from '../support/store-event';
import { appendAudit } from '../../src/store/audit-repo';
import { withTransaction } from '../../src/store/db';
import { insertCase, startApi, uniq, type ApiHarness } from '../api/support';

/**
 * Shadow-mode agreement in GET /v1/kpis: shadow cases' decisions against the adjustments people
 * booked at the bin afterwards (adjustment events), worked out by hand.
 */
let api: ApiHarness;
let admin: string;
const site = uniq('SHA');
const HOUR = 3_600_000;
const detected = new Date(Date.now() - 48 * HOUR);
const iso = (ms: number) => new Date(ms).toISOString();

async function shadowCase(location: string, decision: Record<string, unknown>, kind: 'count_variance' | 'system_mismatch' = 'count_variance') {
  const state = await insertCase(api.db, {
    status: 'closed',
    resolution: 'shadowed',
    shadow: true,
    openedAt: iso(detected.getTime() + 1000),
    closedAt: iso(detected.getTime() + 2000),
    report: { site, kind, sku: 'SKU-1', location, expectedQty: 40, observedQty: 36, detectedAt: detected.toISOString() },
  });
  await withTransaction(api.db, (tx) => appendAudit(tx, state.caseId, [{ seq: 1, at: iso(detected.getTime() + 1500), action: 'decided', actorKind: 'rule', actorId: 'test', detail: decision }]));
}

async function peopleAdjust(location: string, qty: number, hoursAfter: number) {
  await storeEvent(api.db, InventoryEvent.parse({ eventId: `ADJ-${randomUUID().slice(0, 10)}`, source: 'wms', type: 'adjustment', site, sku: 'SKU-1', location, qty, reasonCode: 'CYCLE_COUNT', occurredAt: iso(detected.getTime() + hoursAfter * HOUR) }));
}

beforeAll(async () => {
  api = await startApi();
  admin = await api.bearer(['admin']);
  const adjust = { action: 'auto_resolve', rule: 'count_within_tolerance', correction: 'adjust', adjustQty: -4 };
  await shadowCase('S-01', adjust); // people booked −4 the next day: agreed
  await peopleAdjust('S-01', -4, 20);
  await shadowCase('S-02', adjust); // people booked nothing: a would-be auto-resolution reversed
  await shadowCase('S-03', adjust); // people booked +3: reversed
  await peopleAdjust('S-03', 3, 5);
  await shadowCase('S-04', { action: 'review', reason: 'needs a person' }); // people booked −4: agreed (both found it real)
  await peopleAdjust('S-04', -4, 30);
  await shadowCase('S-05', { action: 'review', reason: 'needs a person' }); // people booked −4 but ten days later: outside the window
  await peopleAdjust('S-05', -4, 240);
  await shadowCase('S-06', { action: 'auto_resolve', rule: 'explained_by_open_allocation', correction: 'resync', adjustQty: 0 }, 'system_mismatch'); // nothing booked: agreed
});
afterAll(async () => {
  expect(api.serverErrors).toEqual([]);
  await api.close();
});

it('agreement by kind and site: would-be auto-resolutions people reversed, and cases people acted on', async () => {
  const res = await request(api.app).get(`/v1/kpis?site=${site}`).set('Authorization', admin);
  expect(res.status).toBe(200);
  expect(res.body.shadowAgreement).toEqual([
    { kind: 'count_variance', site, shadowCases: 5, agreed: 2, rate: 0.4, wouldAutoResolve: 3, autoResolutionsReversed: 2, peopleActed: 3 },
    { kind: 'system_mismatch', site, shadowCases: 1, agreed: 1, rate: 1, wouldAutoResolve: 1, autoResolutionsReversed: 0, peopleActed: 0 },
  ]);
});
