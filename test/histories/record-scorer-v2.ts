/**
 * Records the scorer v2 and shadow-mode histories for the replay test (run by
 * `npm run record-histories` with the others): a case scored by bayes-v2 under a policy that
 * runs the site in shadow mode, decided, recorded and closed without a write.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiscrepancyReport, PolicyDocument, workflowIdForKey } from '../../src/domain';
import { DISCREPANCY_WORKFLOW_TYPE, reportSignal } from '../../src/workflows/messages';
import { seedBalance } from '../support/cases';
import { startEngine, uniq, type Engine } from '../support/engine';
import { TEST_POLICY_INPUT } from '../support/test-policy';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

it('records a shadow-mode case scored by bayes-v2', async () => {
  const site = 'DC-SHADOW';
  const sku = uniq('SKU');
  await seedBalance(engine.db, { site, location: 'A-01-01', sku, wms: 50, erp: 50 });
  const document = PolicyDocument.parse({ ...TEST_POLICY_INPUT, scoring: { scorer: 'bayes-v2' }, shadow: { sites: { [site]: true } } });
  const report = DiscrepancyReport.parse({
    kind: 'count_variance', site, sku, location: 'A-01-01', expectedQty: 50, observedQty: 49, unitCost: 4, source: 'wms', causedBy: ['c1'],
  });
  const receivedAt = new Date().toISOString();
  const h = await engine.client.workflow.signalWithStart(DISCREPANCY_WORKFLOW_TYPE, {
    workflowId: workflowIdForKey(report),
    taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
    // pinned at start: the recording leaves the suite's active policy alone
    args: [{ report, receivedAt, policy: { version: 999, document } }],
    signal: reportSignal,
    signalArgs: [{ report, receivedAt }],
  });
  const state = await h.result();
  expect(state.resolution).toBe('shadowed');
  const json = execFileSync(process.env.TEMPORAL_CLI!, [
    'workflow', 'show', '--workflow-id', h.workflowId, '--address', engine.config.TEMPORAL_ADDRESS, '--output', 'json',
  ]);
  writeFileSync(join(__dirname, 'discrepancy-shadow-bayes-v2.json'), json);
});
