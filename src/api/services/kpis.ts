import type { Actor } from '../../domain';
import {
  AGE_BUCKETS,
  casesByReasonCode,
  cohortSummary,
  cohortVolume,
  falsePositivesByKindAndSite,
  inventoryRecordAccuracy,
  replenishmentAtRisk,
  shadowAgreement,
  openCasesByAge,
  topRootCausesByLocation,
  type KpiFilter,
} from '../../store/kpi-queries';
import type { ApiContext } from '../deps';
import type { KpiQuery, Kpis } from '../ops-schemas';
import { sitesInScope } from '../site-scope';

const DAY_MS = 86_400_000;

function rate(numerator: number, denominator: number) {
  return { rate: denominator === 0 ? null : numerator / denominator, numerator, denominator };
}

/** GET /v1/kpis: the cohort of cases opened in the window, within the key's sites (see kpi-queries). */
export async function computeKpis(ctx: ApiContext, actor: Actor, q: KpiQuery, now = new Date()): Promise<Kpis> {
  const to = q.to ?? now;
  const from = q.from ?? new Date(to.getTime() - 30 * DAY_MS);
  const filter: KpiFilter = { sites: sitesInScope(actor, q.site), kinds: q.kind ? [...new Set(q.kind)] : undefined, from, to };

  const [summary, volume, aging, falsePositives, rootCauses, ira, replenishment, shadow, byReasonCode] = await Promise.all([
    cohortSummary(ctx.db, filter),
    cohortVolume(ctx.db, filter),
    openCasesByAge(ctx.db, filter, now),
    falsePositivesByKindAndSite(ctx.db, filter),
    topRootCausesByLocation(ctx.db, filter),
    inventoryRecordAccuracy(ctx.db, filter),
    replenishmentAtRisk(ctx.db, filter),
    shadowAgreement(ctx.db, filter),
    casesByReasonCode(ctx.db, filter),
  ]);
  return {
    period: { from: from.toISOString(), to: to.toISOString() },
    scope: { sites: filter.sites ?? null, kinds: filter.kinds ?? null },
    volume: { total: summary.total, ...volume },
    openByAge: { asOf: now.toISOString(), total: AGE_BUCKETS.reduce((n, b) => n + aging[b], 0), buckets: aging },
    mttd: summary.mttd,
    mttr: summary.mttr,
    autoResolutionRate: rate(summary.autoResolved, summary.closed),
    recountRate: rate(summary.recounted, summary.total),
    slaBreachRate: rate(summary.breached, summary.withSla),
    falsePositiveRate: falsePositives.map((r) => ({ ...r, rate: r.decided === 0 ? null : r.falsePositives / r.decided })),
    byReasonCode,
    topRootCauses: rootCauses,
    inventoryRecordAccuracy: ira,
    replenishmentAtRisk: replenishment,
    shadowAgreement: shadow.map((r) => ({ ...r, rate: r.shadowCases === 0 ? null : r.agreed / r.shadowCases })),
  };
}
