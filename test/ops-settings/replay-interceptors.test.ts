import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../src/temporal/worker-interceptors';

/**
 * The recorded histories replay with the correlation interceptor in the bundle too: it adds
 * headers and log attributes, never commands.
 */
Runtime.install({ logger: new DefaultLogger('WARN') });

const DIR = join(__dirname, '..', 'histories');

it('replays every recorded history with the workflow interceptors', async () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(2);
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  const histories = files.map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(join(DIR, f), 'utf8'))) }));
  const errors: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle }, histories)) {
    if (r.error) errors.push(`${r.workflowId}: ${String(r.error)}`);
  }
  expect(errors).toEqual([]);
});
