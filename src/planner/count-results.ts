import { DiscrepancyReport } from '../domain';
import { planExists } from '../store/count-plans';
import { binBookAndItem } from '../store/feature-snapshot';
import type { CountResult } from '../store/count-tasks-repo';
import { startOrMergeCase, type CaseIntakeDeps, type StartOrMergeOptions } from '../ingest/start-case';

export interface PlannedCountOutcome {
  planId: string;
  /** the count_variance case the count opened (or joined); null when the count matched the system */
  caseId: string | null;
  systemQty: number;
}

/** Whether a count task's owner is a cycle-count plan rather than a case. */
export async function isCountPlan(deps: Pick<CaseIntakeDeps, 'db'>, ownerId: string): Promise<boolean> {
  return planExists(deps.db, ownerId);
}

/**
 * The result of a planned cycle count. Counting is how a cycle count finds errors: a count that
 * differs from the WMS view becomes a count_variance case like any other (tolerance, scoring,
 * approval), keyed by the count task so a resent result joins the same case; a count that
 * matches closes nothing and opens nothing. The counter is recorded as having caused the
 * observation, so they may not approve its correction.
 */
export async function reportPlannedCount(deps: CaseIntakeDeps, planId: string, r: CountResult, opts: StartOrMergeOptions = {}): Promise<PlannedCountOutcome> {
  const row = await binBookAndItem(deps.db, { site: r.site, location: r.location ?? '', sku: r.sku });
  // the books when counted, else Reckon's running balance now
  const systemQty = r.bookQty ?? Number(row?.wms_qty ?? 0);
  if (systemQty === r.countedQty) return { planId, caseId: null, systemQty };
  const report = DiscrepancyReport.parse({
    kind: 'count_variance',
    process: 'counting',
    site: r.site,
    sku: r.sku,
    location: r.location,
    reference: { kind: 'count_task', id: r.taskId },
    expectedQty: systemQty,
    observedQty: r.countedQty,
    unitCost: Number(row?.unit_cost ?? 0),
    skuClass: row?.sku_class ?? 'C',
    source: 'cycle_count',
    sourceEventIds: [r.taskId],
    causedBy: r.countedBy ? [r.countedBy] : [],
    detectedAt: r.countedAt,
  });
  const accepted = await startOrMergeCase(deps, report, opts);
  return { planId, caseId: accepted.id, systemQty };
}
