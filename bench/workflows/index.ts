import { proxyActivities } from '@temporalio/workflow';
import type { BareActivities } from '../bare-activities';

/** Same timeouts as Reckon's record activities; the retry policy never fires for a no-op. */
const { noop } = proxyActivities<BareActivities>({ startToCloseTimeout: '10s' });

/**
 * Temporal alone: `shape[i]` no-op activities in parallel, one step after another. The bench
 * passes the shape of Reckon's auto-resolve path (how many activities each workflow task
 * scheduled), so both sides cost Temporal the same number of workflow tasks and activities.
 */
export async function bareWorkflow(shape: number[]): Promise<number> {
  let done = 0;
  for (const parallel of shape) {
    await Promise.all(Array.from({ length: parallel }, () => noop()));
    done += parallel;
  }
  return done;
}

/**
 * The least a workflow does on Temporal: start, one no-op activity, complete (the floor;
 * the bench's `minimalBare` side).
 */
export async function minimalWorkflow(): Promise<number> {
  await noop();
  return 1;
}
