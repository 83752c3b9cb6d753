import { Context } from '@temporalio/activity';
import { DiscrepancyReport, judgeTolerance, toleranceFor } from '../domain';
import type { ActivityDeps } from '../activities/deps';
import { startOrMergeCase } from '../ingest/start-case';
import { getActivePolicy } from '../store/policy-repo';
import { finishRun, openMismatchCase, recordDifference, startRun } from '../store/reconciliation-runs';
import { pairSnapshots, type SkuPair } from './compare';

export interface ReconcileSummary {
  runId: string;
  site: string;
  skusCompared: number;
  /** skus whose systems differ beyond tolerance */
  differences: number;
  casesOpened: number;
  alreadyOpen: number;
}

/** The source event id of a reconciliation finding: the same for a sku on every run, so an open case recognises a repeat. */
export const reconcileSourceId = (site: string, sku: string) => `wms-erp-reconcile:${site}:${sku}`.slice(0, 128);

/**
 * Scheduled WMS/ERP reconciliation of one site: both systems' stock snapshots, page by page
 * through the ports, compared sku by sku with the policy's tolerances; one system_mismatch case
 * per differing sku unless an open mismatch case already covers it. Safe to rerun (a retry or
 * the next scheduled run): a sku already in a case is not reported again.
 */
export function createReconcileActivities(deps: ActivityDeps) {
  return {
    async reconcileSite(input: { site: string; runId: string }): Promise<ReconcileSummary> {
      const ctx = Context.current();
      const policy = (await getActivePolicy(deps.db)).document;
      const { site, runId } = input;
      await startRun(deps.db, runId, site);
      const summary: ReconcileSummary = { runId, site, skusCompared: 0, differences: 0, casesOpened: 0, alreadyOpen: 0 };
      const differing: SkuPair[] = [];
      for await (const p of pairSnapshots((q) => deps.wms.stockSnapshot(q), (q) => deps.erp.stockSnapshot(q), site, policy.reconciliation.pageSize)) {
        summary.skusCompared += 1;
        if (summary.skusCompared % 1000 === 0) ctx.heartbeat({ skusCompared: summary.skusCompared });
        if (p.wmsQty === p.erpQty) continue;
        const skuClass = p.skuClass ?? 'C';
        const limits = toleranceFor(policy, { site, skuClass, process: 'general' });
        if (judgeTolerance(limits, p.erpQty, p.wmsQty - p.erpQty, p.unitCost ?? 0).within) continue;
        differing.push(p);
      }
      summary.differences = differing.length;
      for (const p of differing) {
        ctx.heartbeat({ reporting: p.sku });
        const open = await openMismatchCase(deps.db, site, p.sku);
        const base = { runId, site, sku: p.sku, wmsQty: p.wmsQty, erpQty: p.erpQty, wmsTakenAt: p.wmsTakenAt, erpTakenAt: p.erpTakenAt };
        if (open) {
          summary.alreadyOpen += 1;
          await recordDifference(deps.db, { ...base, outcome: 'already_open', caseId: open });
          continue;
        }
        const report = DiscrepancyReport.safeParse({
          kind: 'system_mismatch',
          process: 'general',
          site,
          sku: p.sku,
          expectedQty: p.erpQty,
          observedQty: p.wmsQty,
          unitCost: p.unitCost ?? 0,
          skuClass: p.skuClass ?? 'C',
          source: 'reconciliation',
          sourceEventIds: [reconcileSourceId(site, p.sku)],
          note: `WMS/ERP reconciliation run ${runId}: WMS snapshot (taken ${p.wmsTakenAt}) holds ${p.wmsQty}; ERP snapshot (taken ${p.erpTakenAt}) holds ${p.erpQty}.`,
        });
        if (!report.success) {
          // e.g. negative WMS stock: not a mismatch report; the difference stays on record
          await recordDifference(deps.db, { ...base, outcome: 'not_reportable', caseId: null });
          continue;
        }
        const accepted = await startOrMergeCase({ db: deps.db, temporal: ctx.client, config: { TEMPORAL_TASK_QUEUE: ctx.info.taskQueue } }, report.data);
        summary.casesOpened += 1;
        await recordDifference(deps.db, { ...base, outcome: 'case', caseId: accepted.id });
      }
      await finishRun(deps.db, runId, summary);
      deps.logger.info({ ...summary }, 'WMS/ERP reconciliation done');
      return summary;
    },
  };
}
