import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { PLANNER_WORKFLOW_TYPE, plannerWorkflowId } from '../planner/schedule';
import { openTasksOfOwner } from '../store/count-tasks-repo';
import type { cycleCountPlanner, CycleCountPlannerResult } from '../workflows/cycle-count-planner';

/** A count task the WMS holds for a planned cycle count: what the count crew is sent to count. */
export interface PlannedCountTask {
  taskId: string;
  location: string;
  sku: string;
}

/** One night's cycle-count plan for a site and the open count tasks it created. */
export interface NightPlan {
  result: CycleCountPlannerResult;
  tasks: PlannedCountTask[];
}

/** Runs the cycle-count planner for a site on a simulated night. */
export interface NightPlanner {
  topN: number;
  plan(site: string, night: string): Promise<NightPlan>;
}

/**
 * The planner as `npm run planner -- run` starts it: the cycleCountPlanner workflow on the
 * engine's task queue, one run per site and simulated night (the nightly schedule fires on
 * real nights, so the simulator starts the runs itself). The count tasks are read from the
 * reference ledger, which is the simulated warehouse's WMS: its task list is what a crew gets.
 */
export function temporalNightPlanner(opts: { temporal: Client; db: Pool; taskQueue: string; topN: number }): NightPlanner {
  return {
    topN: opts.topN,
    async plan(site, night) {
      const result = await opts.temporal.workflow.execute<typeof cycleCountPlanner>(PLANNER_WORKFLOW_TYPE, {
        workflowId: `${plannerWorkflowId(site)}-sim-${night}`,
        taskQueue: opts.taskQueue,
        args: [{ site, topN: opts.topN }],
        workflowExecutionTimeout: '10m',
      });
      const rows = await openTasksOfOwner(opts.db, result.planId);
      return { result, tasks: rows.filter((r) => r.location).map((r) => ({ taskId: r.id, location: r.location!, sku: r.sku })) };
    },
  };
}
