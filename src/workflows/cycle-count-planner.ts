import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** What the nightly schedule passes (src/planner/schedule.ts). */
export interface CycleCountPlannerInput {
  site: string;
  /** bins to count in this run */
  topN: number;
}

export interface CycleCountPlannerResult {
  planId: string;
  site: string;
  /** bins ranked */
  considered: number;
  planned: number;
  tasksCreated: number;
  /** tasks an earlier attempt of this run had created already (same idempotency key) */
  tasksReplayed: number;
  /** bins the WMS refused a count task for, with its reason */
  refused: { location: string; sku: string; reason: string }[];
}

const planning = proxyActivities<Activities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
  summary: 'rank the site’s bins and record the plan',
});

const counts = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: ['AdapterRejection'] },
  summary: 'create a count task in the WMS',
});

/** Count tasks are created this many at a time, so a large plan does not flood the WMS. */
const TASK_BATCH = 20;

/** One key per (run, bin, SKU): a retried run, or a retried call, creates each task once. */
export function countTaskKey(planId: string, location: string, sku: string): string {
  return `ccp:${planId}:${location}:${sku}`;
}

/**
 * cycleCountPlanner (docs/accuracy.md): started each night per site by a Temporal Schedule. Ranks the
 * site's bins by risk, records the top N as the run's plan (visible at /v1/count-plans), and
 * creates a count task through the WMS port for each SKU in each chosen bin. The run's id is the
 * plan's id and part of every task's idempotency key, so a retry creates nothing twice.
 */
export async function cycleCountPlanner(input: CycleCountPlannerInput): Promise<CycleCountPlannerResult> {
  if (!input?.site || !Number.isInteger(input.topN) || input.topN < 1) {
    throw ApplicationFailure.create({ type: 'InvalidPlannerInput', message: 'cycleCountPlanner needs { site, topN >= 1 }', nonRetryable: true });
  }
  const planId = workflowInfo().workflowId;
  const plan = await planning.planCycleCounts({ planId, site: input.site, topN: input.topN });

  const jobs = plan.items.flatMap((item) => item.skus.map((sku) => ({ location: item.location, sku, rank: item.rank })));
  const taskIds = new Map<string, string[]>();
  const refused: CycleCountPlannerResult['refused'] = [];
  let created = 0;
  let replayed = 0;
  for (let i = 0; i < jobs.length; i += TASK_BATCH) {
    await Promise.all(
      jobs.slice(i, i + TASK_BATCH).map(async (job) => {
        try {
          const task = await counts.createCountTask({
            site: input.site,
            location: job.location,
            sku: job.sku,
            caseId: planId,
            reason: `cycle count (risk rank ${job.rank})`,
            idempotencyKey: countTaskKey(planId, job.location, job.sku),
          });
          taskIds.set(job.location, [...(taskIds.get(job.location) ?? []), task.taskId]);
          if (task.replayed) replayed++;
          else created++;
        } catch (err) {
          // a refusal for one bin does not cost the others their counts
          if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'AdapterRejection') {
            refused.push({ location: job.location, sku: job.sku, reason: err.cause.message });
            return;
          }
          throw err;
        }
      }),
    );
  }

  await planning.completeCountPlan({
    planId,
    tasks: plan.items.map((item) => ({ location: item.location, taskIds: [...(taskIds.get(item.location) ?? [])].sort() })),
  });
  return {
    planId,
    site: input.site,
    considered: plan.considered,
    planned: plan.items.length,
    tasksCreated: created,
    tasksReplayed: replayed,
    refused,
  };
}
