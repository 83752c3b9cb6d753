import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { adoptHoldSignal, evidenceSignal } from './messages';

/** Tells a case what a watcher saw later; a case that has closed meanwhile is left alone. */
export async function tellCase(caseWorkflowId: string, from: string, text: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(caseWorkflowId).signal(evidenceSignal, { from, text, at: new Date().toISOString() });
  } catch {
    // the case completed (or continued and completed): the evidence has no one to go to
  }
}

/**
 * Hands a hold the watcher placed to the case it opened: the case releases it when it closes,
 * whichever way it closes. False when the case has already closed (the caller releases it).
 */
export async function handHoldToCase(caseWorkflowId: string, hold: { holdId: string; qty: number; from: string }): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(caseWorkflowId).signal(adoptHoldSignal, hold);
    return true;
  } catch {
    return false;
  }
}
