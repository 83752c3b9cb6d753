/**
 * Records one history per case path that record.ts does not cover (SLA breach to the terminal
 * rung, continue-as-new, reject, a recount a person asked for, assign, the evidence signal, a
 * redelivered report, hold-then-review, needs_attention, a mismatch settled over two rounds,
 * the return hold handed to its case). `npm run record-histories` runs it with the others;
 * test/workflow/replay-paths.test.ts changes a command on each path and expects replay to fail.
 */
import { signedUpdate } from '../support/signed-update';
import { DiscrepancyReport, InventoryEvent, workflowIdForKey, type Actor, type CaseState, type DiscrepancyReportInput } from '../../src/domain';
import { mismatchSettleId } from '../../src/ingest/detections';
import { acceptEvent } from '../../src/ingest/event-intake';
import {
  adoptHoldSignal,
  approveUpdate,
  assignUpdate,
  commentUpdate,
  countResultSignal,
  DISCREPANCY_WORKFLOW_TYPE,
  evidenceSignal,
  recountUpdate,
  rejectUpdate,
  reportSignal,
  resolveManuallyUpdate,
  stateQuery,
} from '../../src/workflows/messages';
import { returnWatchId, watchStateQuery } from '../../src/workflows/watch-messages';
import { reportDiscrepancy, seedBalance, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { intakePortsFor } from '../support/api';
import { saveHistory } from './save-history';

const SITE = 'DC-PATHS';
let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

const save = (name: string, workflowId: string, runId?: string) => saveHistory(engine, name, workflowId, runId);

const actor = (userId: string, role: string): Actor => ({ userId, roles: [role], sites: [SITE] });
const start = (input: DiscrepancyReportInput) => reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, input);

/** A review case of one approver: 5 short on an ASN at 10 each (receiving has no tolerance). */
function reviewReport(extra: Partial<DiscrepancyReportInput> = {}): DiscrepancyReportInput {
  return {
    kind: 'receiving_variance', site: SITE, sku: uniq('SKU'), location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 30, observedQty: 25, unitCost: 10, skuClass: 'C', source: 'erp', ...extra,
  };
}

async function audited(caseId: string, action: string): Promise<void> {
  await eventually(async () => (await engine.db.query('SELECT 1 FROM audit_log WHERE case_id = $1 AND action = $2', [caseId, action])).rowCount);
}

it('records an SLA breach, escalation, the terminal rung (hold and page, case stays open), then two approvals', async () => {
  const sku = uniq('SKU');
  await seedBalance(engine.db, { site: SITE, location: 'DOCK-1', sku, wms: 120, erp: 120 });
  // 60 short at 50: 3000 at risk, high (TEST_POLICY: 4 s rungs), above four eyes
  const h = await start({
    kind: 'receiving_variance', site: SITE, sku, location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 120, observedQty: 60, unitCost: 50, skuClass: 'B', source: 'erp',
  });
  const s = await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  expect(s.severity).toBe('high');
  await eventually(async () => {
    const now = await h.query(stateQuery, {});
    return now.escalationLevel === 2 && now.hold && !now.hold.released ? now : undefined;
  }, 60_000);
  await audited(s.caseId, 'terminal_action');
  await signedUpdate(h, approveUpdate, { actor: actor('om1', 'ops_manager'), reasonCode: 'SHORT_SHIP' });
  await signedUpdate(h, approveUpdate, { actor: actor('om2', 'ops_manager'), reasonCode: 'SHORT_SHIP' });
  const final = (await h.result()) as CaseState;
  expect(final.resolution).toBe('approved_adjusted');
  expect(final.hold?.released).toBe(true);
  await save('discrepancy-escalation-terminal', h.workflowId);
});

it('records continue-as-new while awaiting approval (a comment, merged reports), then an approval in the new run', async () => {
  const report = DiscrepancyReport.parse(reviewReport());
  const receivedAt = new Date().toISOString();
  const h = await engine.client.workflow.signalWithStart(DISCREPANCY_WORKFLOW_TYPE, {
    workflowId: workflowIdForKey(report), taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
    args: [{ report, receivedAt, historyLimit: 40 }], signal: reportSignal, signalArgs: [{ report, receivedAt }],
  });
  const first = await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  const latest = engine.client.workflow.getHandle(h.workflowId);
  const ic1 = actor('ic1', 'inventory_control');
  await signedUpdate(h, commentUpdate, { actor: ic1, text: 'checking with the carrier' });
  // then a burst of merged reports: the run continues as new once the burst is recorded
  for (let i = 1; i <= 20; i++) {
    await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, { ...report, sourceEventIds: [`merge-${i}`] });
  }
  const carried = await eventually(async () => {
    const s = await latest.query(stateQuery, {});
    return (await latest.describe()).runId !== first.caseId && s.occurrences === 21 ? s : undefined;
  });
  expect(carried.caseId).toBe(first.caseId);
  await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  await signedUpdate(latest, approveUpdate, { actor: ic1, reasonCode: 'SHORT_SHIP', adjustQty: 0 });
  await latest.result();
  await save('discrepancy-continue-as-new', h.workflowId, first.caseId);
  await save('discrepancy-continue-as-new-carried', h.workflowId);
});

it('records a rejection', async () => {
  const h = await start(reviewReport());
  await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  await signedUpdate(h, rejectUpdate, { actor: actor('ic1', 'inventory_control'), reasonCode: 'OTHER', comment: 'the carrier has the missing cartons' });
  expect(((await h.result()) as CaseState).resolution).toBe('rejected_no_change');
  await save('discrepancy-reject', h.workflowId);
});

it('records a first approval, a recount a person asked for, its count (approval voided), then an approval', async () => {
  // 40 short at 50: 2000, review severity, two approvers above 1500
  const h = await start({
    kind: 'receiving_variance', site: SITE, sku: uniq('SKU'), location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 200, observedQty: 160, unitCost: 50, skuClass: 'A', source: 'erp',
  });
  await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  await signedUpdate(h, approveUpdate, { actor: actor('sup1', 'site_supervisor'), reasonCode: 'SHORT_SHIP', adjustQty: 0 });
  await signedUpdate(h, recountUpdate, { actor: actor('sup2', 'site_supervisor'), comment: 'count the dock again' });
  const waiting = await eventually(async () => {
    const s = await h.query(stateQuery, {});
    return s.status === 'awaiting_recount' && s.recounts[0] ? s : undefined;
  });
  await h.signal(countResultSignal, { taskId: waiting.recounts[0].taskId, countedQty: 170, countedBy: 'counter1', countedAt: new Date().toISOString() });
  await eventually(async () => {
    const s = await h.query(stateQuery, {});
    return s.status === 'awaiting_approval' && s.recounts[0]?.countedQty === 170 ? s : undefined;
  });
  await audited(waiting.caseId, 'approvals_voided');
  await signedUpdate(h, approveUpdate, { actor: actor('sup2', 'site_supervisor'), reasonCode: 'SHORT_SHIP', adjustQty: 0 });
  expect(((await h.result()) as CaseState).resolution).toBe('approved_adjusted');
  await save('discrepancy-recount-requested', h.workflowId);
});

it('records an assignment, then the assignee approves', async () => {
  const h = await start(reviewReport());
  await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  await signedUpdate(h, assignUpdate, { actor: actor('ic1', 'inventory_control'), assignee: 'ic2' });
  await signedUpdate(h, approveUpdate, { actor: actor('ic2', 'inventory_control'), reasonCode: 'SHORT_SHIP', adjustQty: 0 });
  await save('discrepancy-assign', h.workflowId);
});

it('records evidence signalled to a waiting case, then an approval', async () => {
  const h = await start(reviewReport());
  const s = await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  await h.signal(evidenceSignal, { from: 'carrier-portal', text: 'proof of delivery shows 25 cartons', at: new Date().toISOString() });
  await audited(s.caseId, 'evidence_added');
  await signedUpdate(h, approveUpdate, { actor: actor('ic1', 'inventory_control'), reasonCode: 'SHORT_SHIP', adjustQty: 0 });
  await save('discrepancy-evidence', h.workflowId);
});

it('records a report delivered twice (same source events), then an approval', async () => {
  const input = reviewReport({ sourceEventIds: [uniq('EV')] });
  const h = await start(input);
  const s = await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  await start(input);
  await audited(s.caseId, 'report_redelivered');
  expect((await h.query(stateQuery, {})).occurrences).toBe(1);
  await signedUpdate(h, approveUpdate, { actor: actor('ic1', 'inventory_control'), reasonCode: 'SHORT_SHIP', adjustQty: 0 });
  await save('discrepancy-redelivered', h.workflowId);
});

it('records hold-then-review (critical), then two approvals post the adjustment and release the hold', async () => {
  const sku = uniq('SKU');
  await seedBalance(engine.db, { site: SITE, location: 'DOCK-1', sku, wms: 1000, erp: 1000 });
  // 500 short at 60: 30000, above criticalFromValue (25000)
  const h = await start({
    kind: 'receiving_variance', site: SITE, sku, location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 1000, observedQty: 500, unitCost: 60, skuClass: 'A', source: 'erp',
  });
  const s = await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  expect(s.severity).toBe('critical');
  expect(s.hold?.released).toBe(false);
  await signedUpdate(h, approveUpdate, { actor: actor('om1', 'ops_manager'), reasonCode: 'SHORT_SHIP' });
  await signedUpdate(h, approveUpdate, { actor: actor('fin1', 'finance'), reasonCode: 'SHORT_SHIP' });
  const final = (await h.result()) as CaseState;
  expect(final.adjustment?.qty).toBe(-500);
  expect(final.hold?.released).toBe(true);
  await save('discrepancy-hold-then-review', h.workflowId);
});

it('records needs_attention: a hold the WMS no longer knows refuses its release, then a manual resolution', async () => {
  const h = await start(reviewReport());
  const s = await waitForStatus(engine.client, h.workflowId, ['awaiting_approval']);
  // a hold handed to the case that the WMS has no record of: releasing it is refused
  await h.signal(adoptHoldSignal, { holdId: uniq('HOLD-GONE'), qty: 5, from: 'returnWatch' });
  await audited(s.caseId, 'hold_adopted');
  const ic1 = actor('ic1', 'inventory_control');
  await signedUpdate(h, approveUpdate, { actor: ic1, reasonCode: 'SHORT_SHIP', adjustQty: 0 });
  await waitForStatus(engine.client, h.workflowId, ['needs_attention']);
  await signedUpdate(h, resolveManuallyUpdate, { actor: ic1, reasonCode: 'HOLD_CLEARED', comment: 'the hold was cleared in the WMS by hand' });
  expect(((await h.result()) as CaseState).resolution).toBe('resolved_manually');
  await save('discrepancy-needs-attention', h.workflowId);
});

// ---- watchers, driven through the event intake ----

async function intake(e: Record<string, unknown>): Promise<void> {
  const event = InventoryEvent.parse({ eventId: uniq('E'), source: 'wms', occurredAt: new Date().toISOString(), ...e });
  await acceptEvent({ db: engine.db, temporal: engine.client, config: engine.config, ...intakePortsFor(engine) }, event);
}

it('records a mismatchSettle over two rounds: a second mismatch seen while the first window settles', async () => {
  const sku = uniq('SKU');
  const receipt = { type: 'receipt', site: SITE, sku, location: 'D-01', attributes: { unitCost: 5, skuClass: 'C' } };
  await intake({ ...receipt, qty: 900 });
  const id = mismatchSettleId({ kind: 'system_mismatch', site: SITE, sku, location: 'D-01' });
  const h = engine.client.workflow.getHandle(id);
  await eventually(async () => ((await h.query(watchStateQuery)).deadline ? true : undefined));
  await intake({ ...receipt, qty: 100 });
  await h.result();
  const events = (await h.fetchHistory()).events ?? [];
  const rechecks = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recheckMismatch');
  expect(rechecks).toHaveLength(2);
  await save('mismatch-settle-two-rounds', id);
});

it('records a returnWatch under the hand-over patch: no disposition, hold handed to the case, then the disposition', async () => {
  const returnId = uniq('RMA');
  const sku = uniq('SKU');
  await intake({ type: 'return_received', site: SITE, sku, location: 'RET-1', qty: 2, reference: { kind: 'return', id: returnId } });
  const h = engine.client.workflow.getHandle(returnWatchId(SITE, returnId));
  await eventually(async () => ((await h.query(watchStateQuery)).holdId ? true : undefined));
  await intake({ type: 'return_disposition', site: SITE, sku, location: 'RET-1', qty: 2, reference: { kind: 'return', id: returnId }, attributes: { disposition: 'restock' } });
  await save('return-watch-hold-to-case', h.workflowId);
});
