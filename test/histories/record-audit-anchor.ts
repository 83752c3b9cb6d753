/**
 * Records the history of one anchoring of the audit chains for the replay test (run by
 * `npm run record-histories` with the others).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANCHOR_WORKFLOW_TYPE } from '../../src/audit/schedule';
import { startEngine, uniq, type Engine } from '../support/engine';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ AUDIT_ANCHOR_FILE: join(mkdtempSync(join(tmpdir(), 'reckon-anchor-rec-')), 'anchors.jsonl') });
});
afterAll(async () => engine?.stop());

it('records an anchoring of every audit chain head', async () => {
  const workflowId = uniq('audit-anchor');
  await engine.client.workflow.execute(ANCHOR_WORKFLOW_TYPE, { workflowId, taskQueue: engine.config.TEMPORAL_TASK_QUEUE, args: [] });
  const json = execFileSync(process.env.TEMPORAL_CLI!, ['workflow', 'show', '--workflow-id', workflowId, '--address', engine.config.TEMPORAL_ADDRESS, '--output', 'json']);
  writeFileSync(join(__dirname, 'audit-anchor.json'), json);
});
