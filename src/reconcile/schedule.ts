import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { durationMs, type ReconciliationSettings } from '../domain';
import type { wmsErpReconcile } from '../workflows/wms-erp-reconcile';

export const RECONCILE_WORKFLOW_TYPE = 'wmsErpReconcile';

const safe = (site: string) => site.replace(/[^A-Za-z0-9._-]/g, '_');
export const reconcileScheduleId = (site: string) => `wms-erp-reconcile-${safe(site)}`;
/** The schedule appends each run's time to this: every run is its own workflow (and run id). */
export const reconcileWorkflowId = (site: string) => `wms-erp-reconcile-${safe(site)}`;

/**
 * One Temporal Schedule per site listed in the policy's `reconciliation.sites`, at its interval;
 * an existing one is brought up to it. Safe at every worker start, from any number of workers.
 * A site taken out of the policy keeps its schedule until an operator deletes it.
 */
export async function ensureReconcileSchedules(client: Client, taskQueue: string, settings: ReconciliationSettings): Promise<Record<string, 'created' | 'updated'>> {
  const out: Record<string, 'created' | 'updated'> = {};
  for (const [site, every] of Object.entries(settings.sites)) {
    const action: ScheduleOptionsStartWorkflowAction<typeof wmsErpReconcile> = {
      type: 'startWorkflow',
      workflowType: RECONCILE_WORKFLOW_TYPE,
      workflowId: reconcileWorkflowId(site),
      args: [{ site }],
      taskQueue,
      workflowExecutionTimeout: '6h',
    };
    const spec = { intervals: [{ every: durationMs(every) }] };
    // never two runs of a site at once; a run missed while Temporal was down is not made up
    const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' as const };
    const scheduleId = reconcileScheduleId(site);
    try {
      await client.schedule.create({ scheduleId, spec, action, policies });
      out[site] = 'created';
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action, policies: { ...prev.policies, ...policies } }));
      out[site] = 'updated';
    }
  }
  return out;
}
