import { signedUpdate } from '../support/signed-update';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { DiscrepancyReport, PolicyDocument, workflowIdForKey, type Actor, type CaseState, type DiscrepancyReportInput, type PolicyDocumentInput } from '../../src/domain';
import { createPool } from '../../src/store/db';
import { verifyAuditChains } from '../../src/store/audit-repo';
import { placeHold as placeHoldInLedger } from '../../fake-wms/ledger/holds';
import {
  adoptHoldSignal,
  approveUpdate,
  countResultSignal,
  DISCREPANCY_WORKFLOW_TYPE,
  recountUpdate,
  reportSignal,
  resolveManuallyUpdate,
  retryUpdate,
  stateQuery,
} from '../../src/workflows/messages';
import { startLedgerRemote, type LedgerRemote } from '../contract/servers';
import { adjustmentsFor, seedBalance, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { TEST_POLICY_INPUT } from '../support/test-policy';

/**
 * No case ends in a dead end: every close releases the hold, the terminal rung follows the
 * policy's plan, a decision made while the terminal action runs is applied or refused (never
 * dropped), and a write the WMS refuses goes to a person (needs_attention), not a failed workflow.
 * The WMS/ERP is the reference ledger served over HTTP (ADAPTER=http), so a test can make it
 * refuse a write or hold an answer.
 */
let pool: Pool;
let remote: LedgerRemote;
let engine: Engine;
/** per test: what the remote does with a request before serving it */
let intercept: LedgerRemote['intercept'];

beforeAll(async () => {
  pool = createPool(loadConfig().DATABASE_URL, 5);
  remote = await startLedgerRemote(pool);
  remote.intercept = (req) => intercept?.(req);
  engine = await startEngine({ ADAPTER: 'http', WMS_HTTP_URL: remote.wmsUrl, ERP_HTTP_URL: remote.erpUrl, ADAPTER_HTTP_API_KEY: remote.apiKey, ADAPTER_HTTP_TIMEOUT_MS: 10_000 });
});
afterEach(() => {
  intercept = undefined;
});
afterAll(async () => {
  await engine?.stop();
  await remote?.stop();
  await pool?.end();
});

const actor = (userId: string, role: string): Actor => ({ userId, roles: [role], sites: ['*'] });

/** Starts a case as the API does, optionally pinned to a policy of the test's own (no global change). */
async function report(input: DiscrepancyReportInput, policy?: PolicyDocumentInput): Promise<WorkflowHandle> {
  const r = DiscrepancyReport.parse(input);
  const receivedAt = new Date().toISOString();
  const pinned = policy ? { version: 900_000 + Math.floor(Math.random() * 1000), document: PolicyDocument.parse(policy) } : undefined;
  return engine.client.workflow.signalWithStart(DISCREPANCY_WORKFLOW_TYPE, {
    workflowId: workflowIdForKey(r),
    taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
    args: [{ report: r, receivedAt, policy: pinned }],
    signal: reportSignal,
    signalArgs: [{ report: r, receivedAt }],
  });
}

const state = (h: WorkflowHandle) => h.query(stateQuery, {});
const until = (h: WorkflowHandle, ok: (s: CaseState) => boolean, ms = 60_000) => eventually(async () => {
  const s = await state(h);
  return ok(s) ? s : undefined;
}, ms);

async function holdsOf(caseId: string): Promise<{ released: boolean }[]> {
  const { rows } = await pool.query('SELECT released_at FROM ledger.holds WHERE case_id = $1', [caseId]);
  return rows.map((r) => ({ released: r.released_at !== null }));
}
async function pagedRoles(caseId: string): Promise<string[]> {
  const { rows } = await pool.query(`SELECT role FROM in_app_notifications WHERE case_id = $1 AND subject LIKE 'PAGE:%'`, [caseId]);
  return rows.map((r) => r.role);
}
async function auditActions(caseId: string): Promise<string[]> {
  const { rows } = await pool.query('SELECT action FROM audit_log WHERE case_id = $1 ORDER BY seq', [caseId]);
  return rows.map((r) => r.action);
}

/** 600 of 1000 short at 50: 30,000 at risk, critical (hold first, then review). Not recountable (receiving). */
const criticalReceiving = (site: string, sku: string): DiscrepancyReportInput => ({
  kind: 'receiving_variance', site, sku, location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
  expectedQty: 1000, observedQty: 400, unitCost: 50, skuClass: 'B', source: 'erp',
});
/** 60 of 120 short at 50: 3,000 at risk, high; the suite's high ladder has 4 s rungs. */
const highReceiving = (site: string, sku: string): DiscrepancyReportInput => ({
  kind: 'receiving_variance', site, sku, location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
  expectedQty: 120, observedQty: 60, unitCost: 50, skuClass: 'B', source: 'erp',
});

it('page_only then close_and_release: a critical case that passes every rung closes with its hold released', async () => {
  const policy: PolicyDocumentInput = {
    ...TEST_POLICY_INPUT,
    ladders: { ...TEST_POLICY_INPUT.ladders, critical: { rungs: [{ role: 'ops_manager', sla: '2s' }], terminal: { action: 'page_only', role: 'finance' } } },
  };
  const h = await report(criticalReceiving(uniq('T'), uniq('SKU')), policy);
  const final = (await h.result()) as CaseState;
  expect(final.resolution).toBe('escalated_terminal');
  expect(final.hold?.released).toBe(true);
  expect(await holdsOf(final.caseId)).toEqual([{ released: true }]);
  expect(await pagedRoles(final.caseId)).toEqual(['finance']);
  const actions = await auditActions(final.caseId);
  expect(actions.indexOf('hold_released')).toBeGreaterThan(actions.indexOf('terminal_action'));
});

it('a decision made while the terminal action runs wins by default: the approval is applied, the page is not sent', async () => {
  const h = await report(highReceiving(uniq('T'), uniq('SKU')));
  const first = await until(h, (s) => s.status === 'awaiting_approval' && s.escalationLevel === 1, 30_000);
  // hold the terminal hold's answer: the ladder's terminal action is under way
  let holdCalls = 0;
  intercept = (req) => (req.method === 'POST' && req.path === '/wms/holds' ? (holdCalls++, { stallMs: 8000 }) : undefined);
  await eventually(async () => holdCalls > 0, 30_000, 100);
  // 3,000 is above four eyes (1,500): both approvals come while the terminal hold is in flight
  await signedUpdate(h, approveUpdate, { actor: actor('om-1', 'ops_manager'), reasonCode: 'SHORT_SHIP' });
  const res = await signedUpdate(h, approveUpdate, { actor: actor('om-9', 'ops_manager'), reasonCode: 'SHORT_SHIP' });
  expect(res.outcome).toMatch(/^approved/);
  const final = (await h.result()) as CaseState;
  expect(final.resolution).toBe('approved_adjusted');
  expect(final.hold?.released).toBe(true);
  expect(await pagedRoles(first.caseId)).toEqual([]);
  expect(await holdsOf(first.caseId)).toEqual([{ released: true }]);
});

it('a policy that refuses decisions during the terminal action answers 409 meanwhile; after it, the paged role decides', async () => {
  const policy: PolicyDocumentInput = {
    ...TEST_POLICY_INPUT,
    ladders: {
      ...TEST_POLICY_INPUT.ladders,
      high: { rungs: [{ role: 'site_supervisor', sla: '2s' }], terminal: { action: 'hold_and_page', role: 'ops_manager', decisionsDuring: 'refuse' } },
    },
  };
  let holdCalls = 0;
  intercept = (req) => (req.method === 'POST' && req.path === '/wms/holds' ? (holdCalls++, { stallMs: 5000 }) : undefined);
  const h = await report(highReceiving(uniq('T'), uniq('SKU')), policy);
  await eventually(async () => holdCalls > 0, 30_000, 100);
  const refused = await signedUpdate(h, approveUpdate, { actor: actor('om-2', 'ops_manager'), reasonCode: 'SHORT_SHIP' }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'RefusalConflict' });
  // hold_and_page keeps the case open for the paged role, the stock held
  const held = await until(h, (s) => s.status === 'awaiting_approval' && s.hold !== undefined && s.escalationLevel === 1);
  expect(held).toMatchObject({ ownerRole: 'ops_manager', hold: { released: false } });
  expect(held.slaDeadline).toBeUndefined();
  // the terminal action has run once it is recorded: decisions are taken again
  await eventually(async () => (await auditActions(held.caseId)).includes('terminal_action'));
  expect(await pagedRoles(held.caseId)).toEqual(['ops_manager']);
  await signedUpdate(h, approveUpdate, { actor: actor('om-2', 'ops_manager'), reasonCode: 'SHORT_SHIP' });
  await signedUpdate(h, approveUpdate, { actor: actor('om-8', 'ops_manager'), reasonCode: 'SHORT_SHIP' });
  const final = (await h.result()) as CaseState;
  expect(final).toMatchObject({ resolution: 'approved_adjusted', hold: { released: true } });
});

it('a write the WMS refuses sends the case to needs_attention with the refusal; retry lands it once', async () => {
  const site = uniq('T');
  const sku = uniq('SKU');
  await seedBalance(pool, { site, location: 'A-01-03', sku, wms: 120, erp: 120 });
  intercept = (req) => (req.method === 'POST' && req.path.endsWith('/adjustments') ? { status: 422, detail: 'period closed for posting' } : undefined);
  // 2 of 120 short at 10: inside tolerance, the rule posts the adjustment itself
  const h = await report({ kind: 'count_variance', site, sku, location: 'A-01-03', expectedQty: 120, observedQty: 118, unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds: [uniq('CNT')], causedBy: ['c1'] });
  const stuck = await waitForStatus(engine.client, h.workflowId, ['needs_attention'], 60_000);
  expect(stuck.attention).toMatchObject({ write: 'post adjustment', step: 'auto_resolving' });
  expect(stuck.attention?.error).toMatch(/period closed for posting/);
  expect(stuck.ownerRole).toBe('inventory_control');
  const row = await eventually(async () => (await pool.query(`SELECT status, owner_role FROM discrepancies WHERE id = $1 AND status = 'needs_attention'`, [stuck.caseId])).rows[0]);
  expect(row.owner_role).toBe('inventory_control');

  intercept = undefined; // the WMS is fixed
  await signedUpdate(h, retryUpdate, { actor: actor('ic-1', 'inventory_control'), comment: 'period reopened' });
  const final = (await h.result()) as CaseState;
  expect(final.resolution).toBe('auto_resolved');
  expect((await adjustmentsFor(pool, site, sku)).map((a) => a.qty)).toEqual([-2]);
  expect(await auditActions(final.caseId)).toEqual(expect.arrayContaining(['write_refused', 'retry_requested', 'adjustment_posted', 'closed']));
});

it('a refused write on a held case, resolved manually: closes with the hold released and one chain that verifies', async () => {
  const site = uniq('T');
  const sku = uniq('SKU');
  const h = await report(criticalReceiving(site, sku));
  await until(h, (s) => s.status === 'awaiting_approval' && s.hold !== undefined);
  intercept = (req) => (req.method === 'POST' && req.path.endsWith('/adjustments') ? { status: 422, detail: 'sku blocked for adjustments' } : undefined);
  await signedUpdate(h, approveUpdate, { actor: actor('fin-1', 'finance'), reasonCode: 'SHORT_SHIP' }).catch(() => undefined);
  // 30,000 is above four eyes: a second approver
  await signedUpdate(h, approveUpdate, { actor: actor('fin-2', 'finance'), reasonCode: 'SHORT_SHIP' });
  const stuck = await waitForStatus(engine.client, h.workflowId, ['needs_attention'], 60_000);
  expect(stuck.hold?.released).toBe(false);
  const noComment = await signedUpdate(h, resolveManuallyUpdate, { actor: actor('ops-1', 'ops_manager'), reasonCode: 'POSTED_IN_ERP', comment: ' ' }).catch((e: unknown) => e);
  expect((noComment as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'RefusalRefused' });
  await signedUpdate(h, resolveManuallyUpdate, { actor: actor('ops-1', 'ops_manager'), reasonCode: 'POSTED_IN_ERP', comment: 'posted by hand in the ERP, doc 4711' });
  const final = (await h.result()) as CaseState;
  expect(final).toMatchObject({ resolution: 'resolved_manually', resolutionCode: 'POSTED_IN_ERP', hold: { released: true } });
  expect(await holdsOf(final.caseId)).toEqual([{ released: true }]);
  expect(await adjustmentsFor(pool, site, sku)).toEqual([]);
  const chain = await eventually(async () => {
    const r = await verifyAuditChains(pool, final.caseId);
    return (await auditActions(final.caseId)).includes('closed') ? r : undefined;
  });
  expect(chain.problems).toEqual([]);
});

it('a case that auto-resolves releases the hold it holds (here one handed over by a watcher)', async () => {
  const site = uniq('T');
  const sku = uniq('SKU');
  await seedBalance(pool, { site, location: 'A-01-03', sku, wms: 120, erp: 120 });
  const hold = await placeHoldInLedger(pool, { site, location: 'A-01-03', sku, qty: 2, reason: 'test: held before the case', caseId: 'watcher', idempotencyKey: uniq('hold') });
  // 2 of 120 short at 10: inside tolerance, the rule posts the adjustment itself
  const h = await report({ kind: 'count_variance', site, sku, location: 'A-01-03', expectedQty: 120, observedQty: 118, unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds: [uniq('CNT')], causedBy: ['c1'] });
  await h.signal(adoptHoldSignal, { holdId: hold.holdId, qty: 2, from: 'returnWatch' });
  const final = (await h.result()) as CaseState;
  expect(final.resolution).toBe('auto_resolved');
  expect(final.hold).toEqual({ holdId: hold.holdId, qty: 2, released: true });
  const { rows } = await pool.query('SELECT released_at FROM ledger.holds WHERE id = $1', [hold.holdId]);
  expect(rows[0].released_at).not.toBeNull();
  expect(await auditActions(final.caseId)).toEqual(expect.arrayContaining(['hold_adopted', 'hold_released', 'closed']));
});

it('approvals given before a recount changed the variance are voided: the adjustment posted is the one approved after it', async () => {
  const site = uniq('T');
  const sku = uniq('SKU');
  await seedBalance(pool, { site, location: 'C-03-02', sku, wms: 100, erp: 100 });
  // 40 of 100 short at 50 (class B): 2,000 at risk, review severity, four eyes above 1,500
  const h = await report({ kind: 'count_variance', site, sku, location: 'C-03-02', expectedQty: 100, observedQty: 60, unitCost: 50, skuClass: 'B', source: 'wms', sourceEventIds: [uniq('CNT')], causedBy: ['c20'] });
  // the policy's automatic recount first: it confirms the 60
  const first = await until(h, (s) => s.status === 'awaiting_recount' && s.recounts.length === 1);
  await h.signal(countResultSignal, { taskId: first.recounts[0].taskId, countedQty: 60, countedBy: 'c22', countedAt: new Date().toISOString() });
  await until(h, (s) => s.status === 'awaiting_approval');
  const one = await signedUpdate(h, approveUpdate, { actor: actor('sup-a', 'site_supervisor'), reasonCode: 'THEFT' });
  expect(one).toMatchObject({ approvalsGiven: 1, approvalsRequired: 2 });
  await signedUpdate(h, recountUpdate, { actor: actor('sup-b', 'site_supervisor') });
  const waiting = await until(h, (s) => s.status === 'awaiting_recount' && s.recounts.some((r) => r.countedQty === undefined && !r.timedOut));
  const task = waiting.recounts.find((r) => r.countedQty === undefined && !r.timedOut)!;
  // 90 counted: 10 short now (500 at risk, one approver)
  await h.signal(countResultSignal, { taskId: task.taskId, countedQty: 90, countedBy: 'c21', countedAt: new Date().toISOString() });
  const again = await until(h, (s) => s.status === 'awaiting_approval' && s.observedQty === 90);
  expect(again.approvals).toEqual([]);
  const res = await signedUpdate(h, approveUpdate, { actor: actor('sup-c', 'site_supervisor'), reasonCode: 'THEFT' });
  expect(res).toMatchObject({ approvalsGiven: 1, approvalsRequired: 1 });
  const final = (await h.result()) as CaseState;
  expect(final.resolution).toBe('approved_adjusted');
  expect((await adjustmentsFor(pool, site, sku)).map((a) => a.qty)).toEqual([-10]);
  const { rows } = await pool.query(`SELECT detail FROM audit_log WHERE case_id = $1 AND action = 'approvals_voided'`, [final.caseId]);
  expect(rows).toHaveLength(1);
  expect(rows[0].detail).toMatchObject({ voided: [{ userId: 'sup-a', adjustQty: -40, variance: -40 }], variance: -10 });
});

it('a shrink pattern that grows while its refused write waits for a person: the case takes the new size, and the retry decides again on it', async () => {
  const site = uniq('T');
  const sku = uniq('SKU');
  const pattern = { kind: 'shrink_pattern' as const, site, sku, reference: { kind: 'other' as const, id: 'user:u-night-9' }, unitCost: 20, skuClass: 'B' as const, source: 'reckon-detector', causedBy: ['u-night-9'] };
  const h = await report({ ...pattern, expectedQty: 2, observedQty: 9, sourceEventIds: [uniq('ADJ')] });
  await until(h, (s) => s.status === 'awaiting_approval');
  intercept = (req) => (req.method === 'POST' && req.path.endsWith('/adjustments') ? { status: 422, detail: 'period closed for posting' } : undefined);
  // a named quantity: the write the WMS refuses
  await signedUpdate(h, approveUpdate, { actor: actor('lp-1', 'loss_prevention'), reasonCode: 'THEFT', adjustQty: -5, comment: 'five cartons gone' });
  const stuck = await waitForStatus(engine.client, h.workflowId, ['needs_attention'], 60_000);
  expect(stuck.attention?.error).toMatch(/period closed for posting/);

  // two more losses by the same user: the detector reports the pattern at 15 units
  await h.signal(reportSignal, { report: DiscrepancyReport.parse({ ...pattern, expectedQty: 2, observedQty: 15, sourceEventIds: [uniq('ADJ')] }), receivedAt: new Date().toISOString() });
  const grown = await until(h, (s) => s.observedQty === 15 && s.assessment?.valueAtRisk === 260);
  // still with the person who must act on the refusal; the approval for 7 units is void
  expect(grown.status).toBe('needs_attention');
  expect(grown.approvals).toEqual([]);
  expect(await adjustmentsFor(pool, site, sku)).toEqual([]);

  intercept = undefined; // the WMS is fixed
  await signedUpdate(h, retryUpdate, { actor: actor('lp-1', 'loss_prevention'), comment: 'period reopened' });
  // the retry does not post the stale approval: the grown pattern is decided again
  await until(h, (s) => s.status === 'awaiting_approval' && s.observedQty === 15);
  // the loss is already booked (the user's own adjustments): an investigator books a known 3 more found missing
  const ok = await signedUpdate(h, approveUpdate, { actor: actor('lp-2', 'loss_prevention'), reasonCode: 'THEFT', adjustQty: -3, comment: 'three more cartons gone from the cage' });
  expect(ok.outcome).toMatch(/adjustment of -3 /);
  const final = (await h.result()) as CaseState;
  expect(final.resolution).toBe('approved_adjusted');
  expect((await adjustmentsFor(pool, site, sku)).map((a) => a.qty)).toEqual([-3]);
  expect(await auditActions(final.caseId)).toEqual(expect.arrayContaining(['write_refused', 'pattern_grew', 'attention_redecides', 'retry_requested']));
});

it('a report and a hold that come while an auto-resolving case writes: its task runs again on what it wrote on; one adjustment, one trail', async () => {
  const site = uniq('T');
  const sku = uniq('SKU');
  await seedBalance(pool, { site, location: 'A-01-03', sku, wms: 120, erp: 120 });
  const hold = await placeHoldInLedger(pool, { site, location: 'A-01-03', sku, qty: 2, reason: 'test: held before the case', caseId: 'watcher', idempotencyKey: uniq('hold') });
  let adjustCalls = 0;
  // the adjustment lands at the WMS only after the signals below reach Temporal: the task that
  // wrote it cannot complete the run, and is run again with them
  intercept = (req) => (req.method === 'POST' && req.path.endsWith('/adjustments') ? (adjustCalls++, { stallMs: 2000 }) : undefined);
  const base: DiscrepancyReportInput = { kind: 'count_variance', site, sku, location: 'A-01-03', expectedQty: 120, observedQty: 118, unitCost: 10, skuClass: 'B', source: 'wms', causedBy: ['c1'] };
  const h = await report({ ...base, sourceEventIds: [uniq('CNT')] });
  await eventually(async () => adjustCalls > 0, 30_000, 20);
  const late = uniq('CNT-LATE');
  await h.signal(reportSignal, { report: DiscrepancyReport.parse({ ...base, sourceEventIds: [late] }), receivedAt: new Date().toISOString() });
  await h.signal(adoptHoldSignal, { holdId: hold.holdId, qty: 2, from: 'returnWatch' });
  const final = (await h.result()) as CaseState;

  expect(final).toMatchObject({ resolution: 'auto_resolved', occurrences: 2, hold: { holdId: hold.holdId, released: true } });
  // decided on the stock as it was read before the write, not as the write left it
  expect(final.evidence?.wmsBalance).toMatchObject({ qty: 120 });
  expect((await adjustmentsFor(pool, site, sku)).map((a) => a.qty)).toEqual([-2]);
  const actions = await auditActions(final.caseId);
  for (const once of ['opened', 'evidence_gathered', 'scored', 'decided', 'adjustment_posted', 'report_merged', 'hold_adopted', 'hold_released']) {
    expect(actions.filter((a) => a === once)).toEqual([once]);
  }
  // the opening's entries first, as the first attempt recorded them; what came meanwhile after
  expect(actions.slice(0, 6)).toEqual(['opened', 'evidence_gathered', 'scored', 'decided', 'adjustment_posted', 'closed']);
  const { rows } = await pool.query(`SELECT detail FROM audit_log WHERE case_id = $1 AND action = 'report_merged'`, [final.caseId]);
  expect(rows[0].detail).toMatchObject({ afterClose: true, newSourceEventIds: [late] });
  expect((await verifyAuditChains(pool, final.caseId)).problems).toEqual([]);
  // Temporal ran the opening task again: the first completion came after the signals
  const events = (await h.fetchHistory()).events ?? [];
  expect(events.filter((e) => e.workflowTaskFailedEventAttributes).length).toBeGreaterThan(0);
});
