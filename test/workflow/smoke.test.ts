import { DiscrepancyReport, workflowIdForKey, type CaseState } from '../../src/domain';
import { DISCREPANCY_WORKFLOW_TYPE, reportSignal } from '../../src/workflows/messages';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

it('a count variance inside tolerance closes itself with one adjustment', async () => {
  const site = uniq('S');
  const sku = uniq('SKU');
  await engine.db.query(`INSERT INTO ledger.balances (site, location, sku, wms_qty, erp_qty) VALUES ($1,'A-01-01',$2,100,100)`, [site, sku]);
  const report = DiscrepancyReport.parse({
    kind: 'count_variance', site, sku, location: 'A-01-01', expectedQty: 100, observedQty: 99,
    unitCost: 5, skuClass: 'C', source: 'wms', sourceEventIds: ['cnt-1'], causedBy: ['counter1'],
  });
  const receivedAt = new Date().toISOString();
  const handle = await engine.client.workflow.signalWithStart(DISCREPANCY_WORKFLOW_TYPE, {
    workflowId: workflowIdForKey(report), taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
    args: [{ report, receivedAt }], signal: reportSignal, signalArgs: [{ report, receivedAt }],
  });
  const final = (await handle.result()) as CaseState;
  expect(final.resolution).toBe('auto_resolved');
  const adj = await engine.db.query('SELECT qty FROM ledger.adjustments WHERE site = $1 AND sku = $2', [site, sku]);
  expect(adj.rows.map((r) => Number(r.qty))).toEqual([-1]);
  const row = await eventually(async () => (await engine.db.query('SELECT status, resolution FROM discrepancies WHERE id = $1', [final.caseId])).rows[0]);
  expect(row).toEqual({ status: 'closed', resolution: 'auto_resolved' });
});
