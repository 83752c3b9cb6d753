import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { CHANGES } from './path-changes';

/**
 * Replay catches a change of commands on every path a case can take. Each change in
 * ./path-changes.ts adds a timer or an activity, without patched(), in front of a command only
 * one path makes; every recorded history is replayed under every change. The histories on that
 * path must fail with a DeterminismViolationError and every other one must still replay, so
 * each history is shown to cover its path (not just the start every case shares).
 */
Runtime.install({ logger: new DefaultLogger('WARN') });

const DIR = join(__dirname, '..', 'histories');

/** The recorded histories (record.ts, record-paths.ts) this test knows the paths of. */
const HISTORIES = [
  'discrepancy-auto-resolved',
  'discrepancy-auto-resolved-before-lean-wait',
  'discrepancy-auto-resolved-before-one-write',
  'discrepancy-auto-resolved-before-one-task',
  'discrepancy-auto-resolved-before-lean',
  'discrepancy-auto-resolved-before-one-read',
  'discrepancy-auto-resolved-before-local-steps',
  'discrepancy-auto-resolved-before-one-transition',
  'discrepancy-four-eyes',
  'discrepancy-four-eyes-before-lean-wait',
  'discrepancy-four-eyes-before-lean',
  'discrepancy-four-eyes-before-one-transition',
  'discrepancy-recount-books',
  'discrepancy-recount-books-before-lean-wait',
  'discrepancy-shadow-bayes-v2',
  'discrepancy-shadow-bayes-v2-before-lean-wait',
  'discrepancy-shadow-bayes-v2-before-one-transition',
  'discrepancy-escalation-terminal',
  'discrepancy-escalation-terminal-before-lean-wait',
  'discrepancy-continue-as-new',
  'discrepancy-continue-as-new-before-lean-wait',
  'discrepancy-continue-as-new-carried',
  'discrepancy-continue-as-new-carried-before-lean-wait',
  'discrepancy-reject',
  'discrepancy-reject-before-lean-wait',
  'discrepancy-recount-requested',
  'discrepancy-recount-requested-before-lean-wait',
  'discrepancy-assign',
  'discrepancy-assign-before-lean-wait',
  'discrepancy-evidence',
  'discrepancy-evidence-before-lean-wait',
  'discrepancy-redelivered',
  'discrepancy-redelivered-before-lean-wait',
  'discrepancy-hold-then-review',
  'discrepancy-hold-then-review-before-lean-wait',
  'discrepancy-needs-attention',
  'discrepancy-needs-attention-before-lean-wait',
  'mismatch-settle-reported',
  'mismatch-settle-two-rounds',
  'return-watch-late',
  'return-watch-late-before-lean-wait',
  'return-watch-hold-to-case',
  'return-watch-hold-to-case-before-lean-wait',
  'transfer-watch-late',
  'transfer-watch-late-before-lean-wait',
  'receiving-match-short',
  'receiving-match-short-before-lean-wait',
  'cycle-count-planner',
];

/** Each change, what it is, and the histories that take its path (all others must replay). */
const PATHS: [change: keyof typeof CHANGES | 'none', what: string, onPath: string[]][] = [
  ['none', 'no change (the interceptors alone)', []],
  ['sla-breach-escalation', 'a timer before the second rung is notified (SLA breach, escalation)', ['discrepancy-escalation-terminal', 'discrepancy-escalation-terminal-before-lean-wait']],
  ['terminal-rung-page', 'an activity before the terminal rung pages its role', ['discrepancy-escalation-terminal', 'discrepancy-escalation-terminal-before-lean-wait']],
  ['continue-as-new', 'a timer before a waiting case continues as new', ['discrepancy-continue-as-new', 'discrepancy-continue-as-new-before-lean-wait']],
  ['carried-run-resumes', 'a timer when a continued case resumes from its carried state', ['discrepancy-continue-as-new-carried', 'discrepancy-continue-as-new-carried-before-lean-wait']],
  ['reject', 'an activity before a rejected case is recorded closed', ['discrepancy-reject', 'discrepancy-reject-before-lean-wait']],
  ['recount-requested', 'a timer before a recount a person asked for is recorded', ['discrepancy-recount-requested', 'discrepancy-recount-requested-before-lean-wait']],
  ['approvals-voided', 'an activity before voided approvals are recorded', ['discrepancy-recount-requested', 'discrepancy-recount-requested-before-lean-wait']],
  ['assign', 'a timer before an assignment is recorded', ['discrepancy-assign', 'discrepancy-assign-before-lean-wait']],
  ['evidence-signal', 'an activity before signalled evidence is recorded', ['discrepancy-evidence', 'discrepancy-evidence-before-lean-wait']],
  ['redelivered-report', 'a timer before a redelivered report is recorded', ['discrepancy-redelivered', 'discrepancy-redelivered-before-lean-wait']],
  ['hold-then-review', 'an activity before a critical case places its hold', ['discrepancy-hold-then-review', 'discrepancy-hold-then-review-before-lean-wait']],
  ['needs-attention', 'a timer before a refused write is notified (needs_attention)', ['discrepancy-needs-attention', 'discrepancy-needs-attention-before-lean-wait']],
  ['mismatch-second-round', 'a timer before a mismatch settle re-checks its second round', ['mismatch-settle-two-rounds']],
  ['return-hold-hand-over', 'an activity before a return watch hands its hold to the case', ['return-watch-hold-to-case', 'return-watch-hold-to-case-before-lean-wait', 'return-watch-late']],
  ['local-close-record', 'a timer before an auto-resolved case records its close as a local activity', ['discrepancy-auto-resolved-before-one-write', 'discrepancy-auto-resolved-before-one-task', 'discrepancy-auto-resolved-before-lean', 'discrepancy-auto-resolved-before-one-read']],
  ['local-write', 'a timer before an auto-resolving case writes its correction in the task that decided it', ['discrepancy-auto-resolved-before-one-write']],
  ['one-write', 'a timer before an auto-resolving case writes its correction and records its close in one local activity', ['discrepancy-auto-resolved', 'discrepancy-auto-resolved-before-lean-wait']],
  ['one-evidence-read', 'a timer before a case asks every evidence source in one local activity', ['discrepancy-auto-resolved-before-lean', 'discrepancy-recount-books', 'discrepancy-recount-requested', 'discrepancy-shadow-bayes-v2']],
  ['opening-read', 'a timer before a new case pins, reads and scores in one local activity', ['discrepancy-auto-resolved', 'discrepancy-auto-resolved-before-lean-wait', 'discrepancy-auto-resolved-before-one-write', 'discrepancy-auto-resolved-before-one-task', 'discrepancy-four-eyes', 'discrepancy-four-eyes-before-lean-wait', 'discrepancy-assign', 'discrepancy-continue-as-new', 'discrepancy-escalation-terminal', 'discrepancy-evidence', 'discrepancy-hold-then-review', 'discrepancy-needs-attention', 'discrepancy-recount-books', 'discrepancy-recount-requested', 'discrepancy-redelivered', 'discrepancy-reject']],
];

let results: Map<string, string>;

beforeAll(async () => {
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: [require.resolve('./path-changes')],
    logger: new DefaultLogger('WARN'),
  });
  const loaded = HISTORIES.map((name) => ({ name, history: historyFromJSON(JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'))) }));
  // the workflow id names the change (path-changes.ts reads it): one bundle, one replay worker
  const runs = PATHS.flatMap(([change]) => loaded.map((h) => ({ workflowId: `${change}|${h.name}`, history: h.history })));
  results = new Map();
  for await (const r of Worker.runReplayHistories({ workflowBundle }, runs)) {
    results.set(r.workflowId, r.error === undefined ? 'ok' : r.error instanceof DeterminismViolationError ? 'DeterminismViolationError' : `${r.error}`);
  }
}, 300_000);

it('has an expectation for every change, and every path has a recorded history', () => {
  expect(PATHS.map(([c]) => c).filter((c) => c !== 'none').sort()).toEqual(Object.keys(CHANGES).sort());
  for (const [, , onPath] of PATHS) for (const h of onPath) expect(HISTORIES).toContain(h);
});

it.each(PATHS)('replay under %s (%s) fails exactly on the histories of that path', (change, _what, onPath) => {
  const got = Object.fromEntries(HISTORIES.map((h) => [h, results.get(`${change}|${h}`)]));
  const want = Object.fromEntries(HISTORIES.map((h) => [h, onPath.includes(h) ? 'DeterminismViolationError' : 'ok']));
  expect(got).toEqual(want);
});
