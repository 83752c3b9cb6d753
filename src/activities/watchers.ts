import { Context } from '@temporalio/activity';
import type { DetectionDeps } from '../ingest/detections';
import {
  compareReceivingDocument,
  openWatcherCase,
  recheckMismatch,
  type CompareReceivingInput,
  type OpenWatcherCaseInput,
  type RecheckMismatchInput,
} from '../ingest/watch-cases';
import type { ActivityDeps } from './deps';

/**
 * The watchers' activities: open a case for an event that never came, compare an ASN with its
 * receipts, re-check a settling mismatch. Cases start through the worker's own Temporal client
 * on the worker's task queue, exactly as the event intake starts them.
 */
export function createWatcherActivities(deps: ActivityDeps) {
  const detectionDeps = (): DetectionDeps => {
    const ctx = Context.current();
    return { temporal: ctx.client, db: deps.db, config: { TEMPORAL_TASK_QUEUE: ctx.info.taskQueue } };
  };
  return {
    async openWatcherCase(input: OpenWatcherCaseInput): Promise<{ caseId: string; workflowId: string }> {
      return openWatcherCase(detectionDeps(), input);
    },
    async compareReceiving(input: CompareReceivingInput): Promise<{ caseIds: string[] }> {
      return compareReceivingDocument(detectionDeps(), input);
    },
    async recheckMismatch(input: RecheckMismatchInput): Promise<{ caseIds: string[] }> {
      return recheckMismatch(detectionDeps(), input);
    },
  };
}
