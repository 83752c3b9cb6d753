/**
 * Every workflow as shipped, except that discrepancyWorkflow now waits a minute before it opens
 * the case: a timer added without patched(). Replaying a recorded case must fail.
 */
import { sleep } from '@temporalio/workflow';
import { discrepancyWorkflow as shipped } from '../../../src/workflows/discrepancy';
import type { DiscrepancyWorkflowInput } from '../../../src/workflows/messages';

export * from '../../../src/workflows';

export async function discrepancyWorkflow(input: DiscrepancyWorkflowInput): ReturnType<typeof shipped> {
  await sleep('1 minute');
  return shipped(input);
}
