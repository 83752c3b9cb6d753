import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { Config } from '../config';
import type { cycleCountPlanner } from '../workflows/cycle-count-planner';

export const PLANNER_WORKFLOW_TYPE = 'cycleCountPlanner';

type PlannerConfig = Pick<Config, 'CYCLE_COUNT_SITES' | 'CYCLE_COUNT_CRON' | 'CYCLE_COUNT_TIMEZONE' | 'CYCLE_COUNT_TOP_N' | 'TEMPORAL_TASK_QUEUE'>;

const safe = (site: string) => site.replace(/[^A-Za-z0-9._-]/g, '_');

/** One schedule per site, named for operators in the Temporal UI. */
export const plannerScheduleId = (site: string) => `cycle-count-planner-${safe(site)}`;
/** The schedule appends each run's time to this, so every night is its own run (and plan). */
export const plannerWorkflowId = (site: string) => `cycle-count-plan-${safe(site)}`;

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

/**
 * What the schedule should be. Its fingerprint rides in the started workflows' memo (a
 * schedule's own memo cannot be updated), so ensure can tell a current schedule from a stale one.
 */
function desired(config: PlannerConfig, site: string) {
  const fingerprint = JSON.stringify([config.CYCLE_COUNT_CRON, config.CYCLE_COUNT_TIMEZONE, config.CYCLE_COUNT_TOP_N, config.TEMPORAL_TASK_QUEUE]);
  const action: ScheduleOptionsStartWorkflowAction<typeof cycleCountPlanner> = {
    type: 'startWorkflow',
    workflowType: PLANNER_WORKFLOW_TYPE,
    workflowId: plannerWorkflowId(site),
    args: [{ site, topN: config.CYCLE_COUNT_TOP_N }],
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    // a run that fails outright is tried again as a new run of the same id: same plan, same task keys
    retry: { maximumAttempts: 3, initialInterval: '1m' },
    workflowExecutionTimeout: '6h',
    memo: { plannerConfig: fingerprint },
  };
  return {
    fingerprint,
    spec: { cronExpressions: [config.CYCLE_COUNT_CRON], timezone: config.CYCLE_COUNT_TIMEZONE },
    action,
    // a night missed while Temporal was down is still planned if it comes back within the hour; never two at once
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' as const },
  };
}

/**
 * Creates the planner's schedule for each configured site, or brings an existing one up to the
 * configuration. Safe to run at every worker start and from any number of processes at once.
 */
export async function ensurePlannerSchedules(client: Client, config: PlannerConfig): Promise<Record<string, EnsureOutcome>> {
  const outcomes: Record<string, EnsureOutcome> = {};
  for (const site of config.CYCLE_COUNT_SITES) {
    const want = desired(config, site);
    const scheduleId = plannerScheduleId(site);
    try {
      await client.schedule.create({ scheduleId, spec: want.spec, action: want.action, policies: want.policies });
      outcomes[site] = 'created';
      continue;
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
    const handle = client.schedule.getHandle(scheduleId);
    const current = await handle.describe();
    const memo = current.action.type === 'startWorkflow' ? current.action.memo : undefined;
    if (memo?.plannerConfig === want.fingerprint) {
      outcomes[site] = 'unchanged';
      continue;
    }
    await handle.update((prev) => ({ ...prev, spec: want.spec, action: want.action, policies: { ...prev.policies, ...want.policies } }));
    outcomes[site] = 'updated';
  }
  return outcomes;
}
