import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ReconcileSummary } from '../reconcile/activities';

const { reconcileSite } = proxyActivities<Activities>({
  // a site of 100k skus is read a page at a time; the heartbeat shows it is still going
  startToCloseTimeout: '30m',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 5 },
  summary: 'compare WMS and ERP stock snapshots',
});

/** One scheduled WMS/ERP reconciliation of a site (started by its Temporal Schedule, or by hand). */
export async function wmsErpReconcile(input: { site: string }): Promise<ReconcileSummary> {
  return reconcileSite({ site: input.site, runId: workflowInfo().workflowId });
}
