import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { evidenceSignal } from './messages';

/** Tells a case what a watcher saw later; a case that has closed meanwhile is left alone. */
export async function tellCase(caseWorkflowId: string, from: string, text: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(caseWorkflowId).signal(evidenceSignal, { from, text, at: new Date().toISOString() });
  } catch {
    // the case completed (or continued and completed): the evidence has no one to go to
  }
}
