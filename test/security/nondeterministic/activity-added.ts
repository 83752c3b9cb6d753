/**
 * Every workflow as shipped, except that discrepancyWorkflow pins the policy an extra time before
 * it opens the case: an activity call added without patched(). The first call still matches the
 * recorded one; the shipped code's own call then meets a different recorded activity.
 */
import { records } from '../../../src/workflows/activity-proxies';
import { discrepancyWorkflow as shipped } from '../../../src/workflows/discrepancy';
import type { DiscrepancyWorkflowInput } from '../../../src/workflows/messages';

export * from '../../../src/workflows';

export async function discrepancyWorkflow(input: DiscrepancyWorkflowInput): ReturnType<typeof shipped> {
  await records.pinPolicy();
  return shipped(input);
}
