import { defaultPayloadConverter, WorkflowUpdateFailedError } from '@temporalio/client';
import type { PinnedPolicy } from '../../src/domain';
import { skuKey } from '../../src/workflows/search-attributes';
import { stateQuery, approveUpdate, rejectUpdate } from '../../src/workflows/messages';
import type { Persona } from '../support/api';
import { useEngineWithApi, WMS_INTEGRATION } from '../support/e2e';
import { seedBalance } from '../support/cases';
import { eventually, uniq } from '../support/engine';
import { signedUpdate } from '../support/signed-update';
import { LAYERED_SITES } from '../support/test-policy';

/**
 * Per-site policy and reason codes, from the API through the workflow: two sites with their own
 * layer each pin it on their cases (their own ladder), the API shows where each value came from,
 * and every decision's reason code is checked against the case's pinned catalogue.
 */
const e2e = useEngineWithApi();

async function reviewCaseAt(site: string, kind = 'receiving_variance'): Promise<{ id: string; workflowId: string }> {
  // 10 short at 10 each: review severity, not recounted under the suite policy
  const res = await (await e2e.api.as(WMS_INTEGRATION)).post('/v1/discrepancies', {
    kind, site, sku: uniq('SKU'), location: 'DOCK-2', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 100, observedQty: 90, unitCost: 10, skuClass: 'C', source: 'erp', sourceEventIds: [uniq('RCV')],
  });
  expect(res.status).toBe(202);
  const row = await e2e.caseRow(res.body.id, ['awaiting_approval']);
  return { id: row.id, workflowId: row.workflow_id };
}

/** The policy the case's opening read pinned, as its history holds it. */
async function pinnedInHistory(workflowId: string): Promise<PinnedPolicy> {
  const history = await e2e.engine.client.workflow.getHandle(workflowId).fetchHistory();
  for (const e of history.events ?? []) {
    const details = e.markerRecordedEventAttributes?.details;
    if (!details?.data?.payloads?.[0] || !details.result?.payloads?.[0]) continue;
    const marker = defaultPayloadConverter.fromPayload<{ activity_type: string }>(details.data.payloads[0]);
    if (marker.activity_type === 'readOpening') return defaultPayloadConverter.fromPayload<{ policy: PinnedPolicy }>(details.result.payloads[0]).policy;
  }
  throw new Error(`no opening read in ${workflowId}`);
}

const person = (userId: string, role: string, site = '*'): Persona => ({ userId, roles: [role], sites: [site] });

it('GET /v1/policies/effective merges a site layer and says which layer each value came from', async () => {
  const viewer = await e2e.api.as(person('v-pol', 'viewer'));
  const night = await viewer.get(`/v1/policies/effective?site=${LAYERED_SITES.night}`);
  expect(night.status).toBe(200);
  expect(night.headers.etag).toBe(`"${night.body.version}"`);
  expect(night.body).toMatchObject({ site: LAYERED_SITES.night, layer: LAYERED_SITES.night });
  expect(night.body.document.ladders.review.rungs).toEqual([{ role: 'site_supervisor', sla: '2h' }]);
  expect(night.body.document.watchers.transferGrace).toBe('1h');
  expect(night.body.sources).toMatchObject({
    'ladders.review.rungs': `site:${LAYERED_SITES.night}`,
    'watchers.transferGrace': `site:${LAYERED_SITES.night}`,
    'watchers.returnDispositionWithin': 'global',
    'ladders.high.rungs': 'global',
    'tolerances.byClass.C.pct': 'global',
  });
  const day = await viewer.get(`/v1/policies/effective?site=${LAYERED_SITES.day}`);
  expect(day.body.document.tolerances.byClass.C).toEqual({ pct: 0, units: 0, value: 0 });
  expect(day.body.sources['tolerances.byClass.C.pct']).toBe(`site:${LAYERED_SITES.day}`);
  // a site without a layer: the global policy, every value from it
  const plain = await viewer.get('/v1/policies/effective?site=DC-NO-LAYER');
  expect(plain.body.layer).toBeNull();
  expect(new Set(Object.values(plain.body.sources))).toEqual(new Set(['global']));
  expect((await viewer.get('/v1/policies/effective')).status).toBe(400);
});

it('two sites, two ladders: each case pins its own site layer and goes to its own first rung', async () => {
  const [night, day] = [await reviewCaseAt(LAYERED_SITES.night), await reviewCaseAt(LAYERED_SITES.day)];
  const n = await e2e.engine.client.workflow.getHandle(night.workflowId).query(stateQuery, {});
  const d = await e2e.engine.client.workflow.getHandle(day.workflowId).query(stateQuery, {});
  expect(n).toMatchObject({ policyLayer: LAYERED_SITES.night, ownerRole: 'site_supervisor' });
  expect(d).toMatchObject({ policyLayer: LAYERED_SITES.day, ownerRole: 'inventory_control' });
  expect(Date.parse(n.slaDeadline!) - Date.parse(n.rungStartedAt!)).toBe(2 * 3600_000);
  expect(Date.parse(d.slaDeadline!) - Date.parse(d.rungStartedAt!)).toBe(30 * 60_000);
  const opened = await eventually(async () => (await e2e.engine.db.query(`SELECT detail FROM audit_log WHERE case_id = $1 AND action = 'opened'`, [night.id])).rows[0]);
  expect(opened.detail).toMatchObject({ policyLayer: LAYERED_SITES.night });
  // the case's history carries its slice of the policy: its layer merged, no other site's, its kind's codes
  const pinned = await pinnedInHistory(night.workflowId);
  expect(pinned).toMatchObject({ layer: LAYERED_SITES.night, document: { overrides: {}, ladders: { review: { rungs: [{ role: 'site_supervisor', sla: '2h' }] } } } });
  expect(pinned.document.reasonCodes.length).toBeGreaterThan(0);
  expect(pinned.document.reasonCodes.every((r) => r.kinds === undefined)).toBe(true);
  // where it rests, an operator finds it in the Temporal UI by site, kind, sku and status
  const inUi = await eventually(async () => {
    const found = [];
    for await (const w of e2e.engine.client.workflow.list({ query: `ReckonSite = '${LAYERED_SITES.night}' AND ReckonStatus = 'awaiting_approval' AND ReckonKind = 'receiving_variance' AND WorkflowId = '${night.workflowId}'` })) found.push(w);
    return found.length === 1 ? found[0] : undefined;
  });
  expect(inUi.typedSearchAttributes.get(skuKey)).toBe(n.report.sku);
  const shown = await (await e2e.api.as(person('v-layer', 'viewer'))).get(`/v1/discrepancies/${day.id}`);
  expect(shown.body).toMatchObject({ policyVersion: expect.any(Number), live: { policyLayer: LAYERED_SITES.day } });

  // the night site's ladder has no inventory_control rung: an inventory controller may not decide there, but may at the day site
  const ic = await e2e.api.as(person('ic-layer', 'inventory_control'));
  const refused = await ic.post(`/v1/discrepancies/${night.id}/approve`, { reasonCode: 'VENDOR_SHORT' });
  expect(refused.status).toBe(403);
  expect((await ic.post(`/v1/discrepancies/${day.id}/approve`, { reasonCode: 'VENDOR_SHORT' })).status).toBe(200);
  expect((await (await e2e.api.as(person('sup-layer', 'site_supervisor'))).post(`/v1/discrepancies/${night.id}/approve`, { reasonCode: 'VENDOR_SHORT' })).status).toBe(200);
});

it('a reason code outside the case kind\'s catalogue is a 422 naming the allowed codes, from the API and from the workflow\'s validator', async () => {
  const c = await reviewCaseAt(uniq('RC'));
  const sup = await e2e.api.as(person('sup-rc', 'site_supervisor'));
  const bad = await sup.post(`/v1/discrepancies/${c.id}/approve`, { reasonCode: 'BECAUSE' });
  expect(bad.status).toBe(422);
  expect(bad.headers['content-type']).toMatch(/problem\+json/);
  expect(bad.body.errors).toEqual([{ path: 'body.reasonCode', message: expect.stringMatching(/allowed: .*COUNT_CONFIRMED.*VENDOR_SHORT/) }]);
  // a reject code is not an approve code, and a kind-specific code stays with its kind
  expect((await sup.post(`/v1/discrepancies/${c.id}/approve`, { reasonCode: 'MISCOUNT' })).status).toBe(422);
  expect((await sup.post(`/v1/discrepancies/${c.id}/approve`, { reasonCode: 'LOST_IN_TRANSIT', comment: 'carrier' })).status).toBe(422);
  // a code that needs a comment is refused without one
  const bare = await sup.post(`/v1/discrepancies/${c.id}/reject`, { reasonCode: 'VENDOR_CLAIM', comment: ' ' });
  expect(bare.status).toBe(400);

  // a client that bypasses the API meets the workflow's validator with the pinned catalogue
  const handle = e2e.engine.client.workflow.getHandle(c.workflowId);
  const direct = await signedUpdate(handle, approveUpdate, { actor: { userId: 'sup-rc', roles: ['site_supervisor'], sites: ['*'] }, reasonCode: 'BECAUSE' }).catch((e: unknown) => e);
  expect(direct).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((direct as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'RefusalRefused', message: expect.stringMatching(/reason code BECAUSE is not in the catalogue .*allowed:/) });
  const noComment = await signedUpdate(handle, approveUpdate, { actor: { userId: 'sup-rc', roles: ['site_supervisor'], sites: ['*'] }, reasonCode: 'OTHER' }).catch((e: unknown) => e);
  expect((noComment as WorkflowUpdateFailedError).cause).toMatchObject({ message: expect.stringMatching(/OTHER .* needs a comment/) });
  expect((await handle.query(stateQuery, {})).status).toBe('awaiting_approval');

  const ok = await signedUpdate(handle, rejectUpdate, { actor: { userId: 'sup-rc', roles: ['site_supervisor'], sites: ['*'] }, reasonCode: 'OTHER', comment: 'the dock found the pallet' });
  expect(ok.outcome).toMatch(/^rejected/);
  await e2e.caseRow(c.id);
});

it('KPIs group every closed case by kind and reason code: a person\'s, or the one Reckon adjusted with', async () => {
  const site = uniq('KPI');
  const cases = [await reviewCaseAt(site), await reviewCaseAt(site), await reviewCaseAt(site)];
  const sup = await e2e.api.as(person('sup-kpi', 'site_supervisor'));
  expect((await sup.post(`/v1/discrepancies/${cases[0].id}/approve`, { reasonCode: 'VENDOR_SHORT' })).status).toBe(200);
  expect((await sup.post(`/v1/discrepancies/${cases[1].id}/approve`, { reasonCode: 'VENDOR_SHORT' })).status).toBe(200);
  expect((await sup.post(`/v1/discrepancies/${cases[2].id}/reject`, { reasonCode: 'MISCOUNT', comment: 'dock recounted it' })).status).toBe(200);
  for (const c of cases) await e2e.caseRow(c.id);
  // and one Reckon closes itself: 2 of 120 short at 10, inside tolerance, adjusted with the policy's code
  const sku = uniq('SKU');
  await seedBalance(e2e.engine.db, { site, location: 'A-01-01', sku, wms: 120, erp: 120 });
  const auto = await (await e2e.api.as(WMS_INTEGRATION)).post('/v1/discrepancies', {
    kind: 'count_variance', site, sku, location: 'A-01-01', expectedQty: 120, observedQty: 118, unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds: [uniq('CNT')],
  });
  expect(auto.status).toBe(202);
  expect((await e2e.caseRow(auto.body.id, ['closed'])).resolution).toBe('auto_resolved');
  const kpis = await (await e2e.api.as(person('v-kpi', 'viewer'))).get(`/v1/kpis?site=${site}`);
  expect(kpis.status).toBe(200);
  expect(kpis.body.byReasonCode).toEqual([
    { kind: 'count_variance', reasonCode: 'CYCLE_COUNT', resolution: 'auto_resolved', closedBy: 'reckon', cases: 1, valueAtRisk: 20 },
    { kind: 'receiving_variance', reasonCode: 'VENDOR_SHORT', resolution: 'approved_adjusted', closedBy: 'person', cases: 2, valueAtRisk: 200 },
    { kind: 'receiving_variance', reasonCode: 'MISCOUNT', resolution: 'rejected_no_change', closedBy: 'person', cases: 1, valueAtRisk: 100 },
  ]);
});
