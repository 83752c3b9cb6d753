import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../support/engine';

/**
 * Saves one run's history beside the recorders as `<name>.json`, in the CLI's JSON (what
 * historyFromJSON reads and the Temporal UI downloads). The latest run, once it has finished,
 * unless `runId` names an earlier one (a run that continued as new).
 */
export async function saveHistory(engine: Engine, name: string, workflowId: string, runId?: string): Promise<void> {
  if (!runId) await engine.client.workflow.getHandle(workflowId).result();
  const json = execFileSync(process.env.TEMPORAL_CLI!, [
    'workflow', 'show', '--workflow-id', workflowId, ...(runId ? ['--run-id', runId] : []),
    '--address', engine.config.TEMPORAL_ADDRESS, '--output', 'json',
  ]);
  writeFileSync(join(__dirname, `${name}.json`), json);
}
