import type { CaseState } from '../../src/domain';
import { DiscrepancyReport, PolicyDocument, workflowIdForKey } from '../../src/domain';
import { getActivePolicy } from '../../src/store/policy-repo';
import { DISCREPANCY_WORKFLOW_TYPE, reportSignal, stateQuery } from '../../src/workflows/messages';
import { startApi, type Api } from '../support/api';
import { waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { TEST_POLICY_INPUT } from '../support/test-policy';

/**
 * Open cases keep the policy version they opened with; an admin can move a chosen set of them to
 * another stored version (an audited update), and their SLA deadlines are counted again.
 */
let engine: Engine;
let api: Api;
beforeAll(async () => {
  engine = await startEngine();
  api = await startApi(engine);
});
afterAll(async () => {
  await api?.stop();
  await engine?.stop();
});

const admin = { userId: 'policy-admin', roles: ['admin'], sites: ['*'] };

/** A review case pinned to an older policy whose first rung gives 10 minutes. */
async function caseOnOldPolicy(): Promise<CaseState> {
  const old = PolicyDocument.parse({
    ...TEST_POLICY_INPUT,
    ladders: { ...TEST_POLICY_INPUT.ladders, review: { rungs: [{ role: 'inventory_control', sla: '10m' }], terminal: { action: 'page_only', role: 'site_supervisor' } } },
  });
  const report = DiscrepancyReport.parse({
    kind: 'receiving_variance', site: uniq('RP'), sku: uniq('SKU'), location: 'DOCK-3', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 50, observedQty: 40, unitCost: 50, skuClass: 'B', source: 'erp',
  });
  const receivedAt = new Date().toISOString();
  const h = await engine.client.workflow.signalWithStart(DISCREPANCY_WORKFLOW_TYPE, {
    workflowId: workflowIdForKey(report),
    taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
    args: [{ report, receivedAt, policy: { version: 800_000 + Math.floor(Math.random() * 1000), document: old } }],
    signal: reportSignal,
    signalArgs: [{ report, receivedAt }],
  });
  return waitForStatus(engine.client, h.workflowId, ['awaiting_approval'], 30_000, engine.db);
}

it('an admin re-pins chosen open cases to the active version: audited, SLA recomputed from the rung start; others are told why not', async () => {
  const active = await getActivePolicy(engine.db);
  const [a, b] = [await caseOnOldPolicy(), await caseOnOldPolicy()];
  expect(Date.parse(a.slaDeadline!) - Date.parse(a.rungStartedAt!)).toBe(10 * 60_000);

  const viewer = await api.as({ userId: 'v', roles: ['viewer'], sites: ['*'] });
  expect((await viewer.post(`/v1/discrepancies/${a.caseId}/repin`, { version: active.version, reason: 'new SLAs' })).status).toBe(403);
  const supervisor = await api.as({ userId: 'sup', roles: ['site_supervisor'], sites: ['*'] });
  expect((await supervisor.post('/v1/discrepancies/repin', { caseIds: [a.caseId], version: active.version, reason: 'x' })).status).toBe(403);

  const as = await api.as(admin);
  const missingReason = await as.post(`/v1/discrepancies/${a.caseId}/repin`, { version: active.version });
  expect(missingReason.status).toBe(400);
  const res = await as.post('/v1/discrepancies/repin', { caseIds: [a.caseId, b.caseId, 'no-such-case'], version: active.version, reason: 'ladder SLAs revised by ops' });
  expect(res.status).toBe(200);
  expect(res.body.results).toEqual([
    { id: a.caseId, status: 200, detail: expect.stringContaining(`→ ${active.version}`) },
    { id: b.caseId, status: 200, detail: expect.any(String) },
    { id: 'no-such-case', status: 404, detail: expect.any(String) },
  ]);
  // again: already on it
  const again = await as.post(`/v1/discrepancies/${a.caseId}/repin`, { version: active.version, reason: 'again' });
  expect(again.status).toBe(409);

  const now = await engine.client.workflow.getHandle(a.workflowId).query(stateQuery, {});
  const rung = active.document.ladders.review.rungs[0];
  expect(now.policyVersion).toBe(active.version);
  expect(now.ownerRole).toBe(rung.role);
  expect(Date.parse(now.slaDeadline!) - Date.parse(now.rungStartedAt!)).toBe(8 * 3600_000);
  const audit = await eventually(async () => (await engine.db.query(`SELECT actor_id, detail FROM audit_log WHERE case_id = $1 AND action = 'policy_repinned'`, [a.caseId])).rows[0]);
  expect(audit).toMatchObject({ actor_id: 'policy-admin', detail: { to: active.version, reason: 'ladder SLAs revised by ops' } });
  const stored = await eventually(async () => (await engine.db.query(`SELECT policy_version, sla_deadline FROM discrepancies WHERE id = $1 AND policy_version = $2`, [a.caseId, active.version])).rows[0]);
  expect(new Date(stored.sla_deadline).toISOString()).toBe(now.slaDeadline);
});
