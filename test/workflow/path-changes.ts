/**
 * Workflow interceptors that change what a workflow asks Temporal for on one path: an extra
 * timer or activity just before a command only that path makes, as a change shipped without
 * patched() would. Bundled with the shipped workflows by test/workflow/replay-paths.test.ts.
 * Which change applies is named by the replay's workflow id (`<change>|<history file>`), so one
 * bundle carries them all; `none|…` changes nothing.
 */
import { proxyActivities, sleep, workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

/** A command the workflow is about to make, as far as a change needs to recognise its path. */
export type Call =
  | { kind: 'start'; input: { carried?: unknown } }
  | { kind: 'activity'; type: string; arg: Record<string, unknown> }
  | { kind: 'localActivity'; type: string; arg: Record<string, unknown> }
  | { kind: 'signal'; name: string }
  | { kind: 'continueAsNew' };

interface Change {
  /** true at the command the change goes in front of */
  before(call: Call): boolean;
  add: 'timer' | 'activity';
}

const activity = (type: string, when: (arg: Record<string, unknown>) => boolean = () => true) => (c: Call) =>
  c.kind === 'activity' && c.type === type && when(c.arg);
const recordWith = (action: string) =>
  activity('recordTransition', (t) => (t.entries as { action: string }[]).some((e) => e.action === action));
const keyed = (re: RegExp) => (n: Record<string, unknown>) => re.test(String(n.idempotencyKey));

/** The changes, by name: where each goes and what it adds. */
export const CHANGES: Record<string, Change> = {
  'sla-breach-escalation': { before: activity('notifyRole', keyed(/:notify:1:/)), add: 'timer' },
  'terminal-rung-page': { before: activity('notifyRole', keyed(/:page$/)), add: 'activity' },
  'continue-as-new': { before: (c) => c.kind === 'continueAsNew', add: 'timer' },
  'carried-run-resumes': { before: (c) => c.kind === 'start' && c.input.carried !== undefined, add: 'timer' },
  reject: { before: recordWith('rejected'), add: 'activity' },
  'recount-requested': { before: recordWith('recount_requested'), add: 'timer' },
  'approvals-voided': { before: recordWith('approvals_voided'), add: 'activity' },
  assign: { before: recordWith('assigned'), add: 'timer' },
  'evidence-signal': { before: recordWith('evidence_added'), add: 'activity' },
  'redelivered-report': { before: recordWith('report_redelivered'), add: 'timer' },
  'hold-then-review': { before: activity('placeHold', (h) => String(h.reason).startsWith('critical severity')), add: 'activity' },
  'needs-attention': { before: activity('notifyRole', keyed(/:attention:/)), add: 'timer' },
  'mismatch-second-round': { before: activity('recheckMismatch', (r) => String(r.watchId).endsWith(':1')), add: 'timer' },
  'return-hold-hand-over': { before: (c) => c.kind === 'signal' && c.name === 'adoptHold', add: 'activity' },
  'local-close-record': {
    before: (c) => c.kind === 'localActivity' && c.type === 'recordTransition' && (c.arg.entries as { action: string }[]).some((e) => e.action === 'closed'),
    add: 'timer',
  },
  'one-evidence-read': { before: (c) => c.kind === 'localActivity' && c.type === 'readEvidence', add: 'timer' },
  'opening-read': { before: (c) => c.kind === 'localActivity' && c.type === 'readOpening', add: 'timer' },
  'local-write': { before: (c) => c.kind === 'localActivity' && c.type === 'postAutoAdjustment', add: 'timer' },
  'one-write': { before: (c) => c.kind === 'localActivity' && c.type === 'postAutoAdjustmentAndClose', add: 'timer' },
};

const extra = proxyActivities<{ pinPolicy(): Promise<unknown> }>({ startToCloseTimeout: '10s' });

/** The added command's promise when the change named by the workflow id goes here; else nothing (no await added). */
function changeAt(call: Call): Promise<unknown> | undefined {
  const change = CHANGES[workflowInfo().workflowId.split('|')[0]];
  if (!change?.before(call)) return undefined;
  return change.add === 'timer' ? sleep('1 second') : extra.pinPolicy();
}

/** Runs `next` at once, or after the added command: the shipped code's commands keep their order otherwise. */
function after<T>(added: Promise<unknown> | undefined, next: () => Promise<T>): Promise<T> {
  return added ? added.then(next) : next();
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      execute: (input, next) => after(changeAt({ kind: 'start', input: (input.args[0] ?? {}) as { carried?: unknown } }), () => next(input)),
    },
  ],
  outbound: [
    {
      scheduleActivity: (input, next) =>
        after(changeAt({ kind: 'activity', type: input.activityType, arg: (input.args[0] ?? {}) as Record<string, unknown> }), () => next(input)),
      scheduleLocalActivity: (input, next) =>
        after(changeAt({ kind: 'localActivity', type: input.activityType, arg: (input.args[0] ?? {}) as Record<string, unknown> }), () => next(input)),
      signalWorkflow: (input, next) => after(changeAt({ kind: 'signal', name: input.signalName }), () => next(input)),
      continueAsNew: (input, next) => after(changeAt({ kind: 'continueAsNew' }), () => next(input)),
    },
  ],
});
