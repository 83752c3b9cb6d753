import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import * as registered from '../../src/workflows';

/**
 * The replay tests (test/workflow/replay.test.ts) are only worth something if they cover every
 * workflow type and if they fail when workflow code changes what it asks Temporal for. Both
 * are shown here: a history per registered type, and two deliberately non-deterministic
 * variants of discrepancyWorkflow (test/security/nondeterministic/) that replay refuses.
 */
Runtime.install({ logger: new DefaultLogger('WARN') });

const DIR = join(__dirname, '..', 'histories');
const histories = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
    const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '?';
    return { file, type, history };
  });

it('has a recorded history for every workflow type the worker registers', () => {
  const types = Object.keys(registered).filter((k) => typeof (registered as Record<string, unknown>)[k] === 'function');
  expect(types).toContain('discrepancyWorkflow');
  const recorded = new Set(histories.map((h) => h.type));
  // a new workflow type needs a case in test/histories/record.ts and `npm run record-histories`
  expect(types.filter((t) => !recorded.has(t))).toEqual([]);
});

/** Replays every recorded history against a bundle; the error of each, by file ('ok' if none). */
async function replayAll(workflowsPath: string): Promise<Record<string, string>> {
  const workflowBundle: WorkflowBundleWithSourceMap = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  const results: Record<string, string> = {};
  const replay = Worker.runReplayHistories(
    { workflowBundle },
    histories.map((h) => ({ workflowId: h.file, history: h.history })),
  );
  for await (const r of replay) {
    results[r.workflowId] = r.error === undefined ? 'ok' : r.error instanceof DeterminismViolationError ? 'DeterminismViolationError' : `${r.error}`;
  }
  return results;
}

/** What each variant must produce: the changed type's histories refused, the other types untouched. */
const expected = (changed: string) =>
  Object.fromEntries(histories.map((h) => [h.file, h.type === changed ? 'DeterminismViolationError' : 'ok']));

it.each([
  ['a timer added before the case opens', 'timer-added.ts', 'discrepancyWorkflow'],
  ['an activity call added before the case opens', 'activity-added.ts', 'discrepancyWorkflow'],
  ['an activity call added in front of the scheduled audit anchoring', 'anchor-activity-added.ts', 'auditAnchor'],
])('catches %s, without patched(), in every recorded history of that type', async (_change, file, changed) => {
  expect(histories.some((h) => h.type === changed)).toBe(true);
  expect(await replayAll(join(__dirname, 'nondeterministic', file))).toEqual(expected(changed));
});
