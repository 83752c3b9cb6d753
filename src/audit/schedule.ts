import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowNotFoundError, type Client, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { auditAnchor } from '../workflows/audit-anchor';
import type { AnchorRecord } from './anchor-log';

export const ANCHOR_WORKFLOW_TYPE = 'auditAnchor';
export const ANCHOR_SCHEDULE_ID = 'audit-anchor';
/** The schedule appends each run's time to this: every anchoring is its own workflow. */
export const ANCHOR_WORKFLOW_ID = 'audit-anchor';

/**
 * The anchoring schedule at `everySeconds`; an existing one is brought up to it. Safe at every
 * worker start, from any number of workers.
 */
export async function ensureAnchorSchedule(client: Client, taskQueue: string, everySeconds: number): Promise<'created' | 'updated'> {
  const action: ScheduleOptionsStartWorkflowAction<typeof auditAnchor> = {
    type: 'startWorkflow',
    workflowType: ANCHOR_WORKFLOW_TYPE,
    workflowId: ANCHOR_WORKFLOW_ID,
    args: [],
    taskQueue,
    workflowExecutionTimeout: '1h',
  };
  const spec = { intervals: [{ every: everySeconds * 1000 }] };
  // one anchoring at a time; one missed while Temporal was down is not made up (the next one covers it)
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' as const };
  try {
    await client.schedule.create({ scheduleId: ANCHOR_SCHEDULE_ID, spec, action, policies });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(ANCHOR_SCHEDULE_ID).update((prev) => ({ ...prev, spec, action, policies: { ...prev.policies, ...policies } }));
    return 'updated';
  }
}

/** An anchoring now, outside the schedule; resolves with what it wrote. */
export async function anchorNow(client: Client, taskQueue: string, at: Date = new Date()): Promise<AnchorRecord> {
  return client.workflow.execute<typeof auditAnchor>(ANCHOR_WORKFLOW_TYPE, {
    workflowId: `${ANCHOR_WORKFLOW_ID}-manual-${at.toISOString()}`,
    taskQueue,
    args: [],
    workflowExecutionTimeout: '1h',
  });
}

/**
 * Holds an anchor record against the history of the workflow that wrote it: a root edited in
 * the file (and re-linked) no longer matches the root Temporal recorded. null: they agree.
 */
export async function checkAnchorInTemporal(client: Client, record: AnchorRecord): Promise<string | null> {
  try {
    const result = (await client.workflow.getHandle(record.anchorId).result()) as AnchorRecord;
    if (result.root !== record.root || result.anchorHash !== record.anchorHash) {
      return `anchor ${record.anchorId}: the log says root ${record.root}, its workflow's history says ${result.root}`;
    }
    return null;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return `anchor ${record.anchorId}: no anchoring workflow of that id in Temporal`;
    throw err;
  }
}
