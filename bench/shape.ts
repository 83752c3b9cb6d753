import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const SCHEDULED = temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED;

export interface ActivityShape {
  /** activities scheduled by each workflow task that scheduled any, in order */
  shape: number[];
  /** activity type names, in the order they were scheduled */
  activities: string[];
  total: number;
}

/**
 * The activities one real run scheduled, read from its history (ActivityTaskScheduled events),
 * grouped by the workflow task that scheduled them: activities of one group ran in parallel.
 */
export async function activityShape(client: Client, workflowId: string, runId: string): Promise<ActivityShape> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const groups = new Map<string, number>();
  const activities: string[] = [];
  for (const e of history.events ?? []) {
    if (e.eventType !== SCHEDULED) continue;
    const attrs = e.activityTaskScheduledEventAttributes!;
    activities.push(attrs.activityType?.name ?? '?');
    const task = String(attrs.workflowTaskCompletedEventId);
    groups.set(task, (groups.get(task) ?? 0) + 1);
  }
  return { shape: [...groups.values()], activities, total: activities.length };
}
