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

export interface HistoryStats {
  events: number;
  workflowTasks: number;
  activities: number;
  searchAttributeUpserts: number;
  signals: number;
  /** the history's encoded size: what the server stores and ships for the run */
  bytes: number;
}

const E = temporal.api.enums.v1.EventType;

/** What one run cost Temporal, from its history: events, workflow tasks, activities, bytes. */
export async function historyStats(client: Client, workflowId: string, runId?: string): Promise<HistoryStats> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  const count = (t: number) => events.filter((e) => e.eventType === t).length;
  return {
    events: events.length,
    workflowTasks: count(E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    activities: count(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    searchAttributeUpserts: count(E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
    signals: count(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
  };
}
