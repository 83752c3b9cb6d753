import { DiscrepancyReport, workflowIdForKey, type CaseState } from '../../src/domain';
import { approveUpdate, DISCREPANCY_WORKFLOW_TYPE, reportSignal, stateQuery } from '../../src/workflows/messages';
import { reportDiscrepancy, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { signedUpdate } from '../support/signed-update';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

it('a case flooded with duplicate reports continues as new and keeps its id, its count and its approvals', async () => {
  const report = DiscrepancyReport.parse({
    kind: 'receiving_variance', site: uniq('DC'), sku: uniq('SKU'), location: 'DOCK-9', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 30, observedQty: 25, unitCost: 10, skuClass: 'C', source: 'erp',
  });
  const receivedAt = new Date().toISOString();
  const handle = await engine.client.workflow.signalWithStart(DISCREPANCY_WORKFLOW_TYPE, {
    workflowId: workflowIdForKey(report), taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
    args: [{ report, receivedAt, historyLimit: 80 }], signal: reportSignal, signalArgs: [{ report, receivedAt }],
  });
  const first = await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  // duplicates until the case has continued as new: how many it takes depends on how the worker
  // batches them (a busy worker records several in one task, and its history grows slower)
  const latest = engine.client.workflow.getHandle(handle.workflowId);
  let sent = 0;
  while ((await latest.describe()).runId === first.caseId) {
    expect(sent).toBeLessThan(300);
    for (let i = 0; i < 10; i++, sent++) {
      await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, { ...report, sourceEventIds: [`dup-${sent}`] });
    }
  }
  const continued = await eventually(async () => {
    const s = await latest.query(stateQuery, {});
    return s.occurrences === sent + 1 ? s : undefined;
  });
  expect(continued.caseId).toBe(first.caseId);
  expect(continued.sourceEventIds).toHaveLength(sent);

  const approver = { userId: 'ic-can', roles: ['inventory_control'], sites: ['*'] };
  const byCase = engine.client.workflow.getHandle(handle.workflowId, undefined, { firstExecutionRunId: first.caseId });
  await signedUpdate(byCase, approveUpdate, { actor: approver, reasonCode: 'SHORT_SHIP', adjustQty: 0 });
  const final = (await latest.result()) as CaseState;
  expect(final.resolution).toBe('approved_adjusted');
  const row = await eventually(async () => (await engine.db.query(`SELECT occurrences, status FROM discrepancies WHERE id = $1 AND status = 'closed'`, [first.caseId])).rows[0]);
  expect(row.occurrences).toBe(sent + 1);
  const rows = await engine.db.query('SELECT count(*)::int AS n FROM discrepancies WHERE workflow_id = $1', [handle.workflowId]);
  expect(rows.rows[0].n).toBe(1);
});
