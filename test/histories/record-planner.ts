/**
 * Records the cycle-count planner's history for the replay test: `npm run record-histories`
 * (or `npx jest --testMatch "**\/test/histories/record-planner.ts"` for this one alone).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plannerWorkflowId } from '../../src/planner/schedule';
import { insertCase } from '../api/support';
import { startEngine, type Engine } from '../support/engine';
import { seedPlannerFixture } from '../planner/fixture';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

it('records a cycleCountPlanner run: ranked, planned, four count tasks created', async () => {
  const site = `REC${randomUUID().slice(0, 6)}`;
  await seedPlannerFixture(engine.db, site, (report, status, resolution) => insertCase(engine.db, { report, status, resolution }));
  const workflowId = `${plannerWorkflowId(site)}-recorded`;
  await engine.client.workflow.execute('cycleCountPlanner', { workflowId, taskQueue: engine.config.TEMPORAL_TASK_QUEUE, args: [{ site, topN: 3 }] });
  const json = execFileSync(process.env.TEMPORAL_CLI!, [
    'workflow', 'show', '--workflow-id', workflowId, '--address', engine.config.TEMPORAL_ADDRESS, '--output', 'json',
  ]);
  writeFileSync(join(__dirname, 'cycle-count-planner.json'), json);
});
