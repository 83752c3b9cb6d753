import { CYCLE_PLAN_VERSION, planCycleCounts, type PlannedLocation } from '../domain/cycle-plan';
import { getActivePolicy } from '../store/policy-repo';
import { classifySite } from './abc';
import type { ActivityDeps } from '../activities/deps';
import { classOverridesAt } from '../store/class-overrides';
import { withTransaction } from '../store/db';
import { loadLocationFeatures } from '../store/location-features';
import { completePlan, getPlan, insertPlan } from '../store/count-plans';

export interface PlanRequest {
  /** the run: the planner workflow's id, the same across retries of one scheduled run */
  planId: string;
  site: string;
  topN: number;
}

export interface PlannedCounts {
  planId: string;
  /** false when the plan had been recorded by an earlier attempt of the run and was read back */
  fresh: boolean;
  considered: number;
  items: Pick<PlannedLocation, 'rank' | 'location' | 'skus'>[];
}

/** The cycle-count planner's own records: rank and record a plan, then note its count tasks. */
export function createPlannerActivities(deps: ActivityDeps) {
  return {
    /**
     * Ranks the site's bins and records the top N as the run's plan, once: a retried run reads
     * the recorded plan back instead of ranking again (the tasks it created would otherwise
     * change the ranking), so every attempt creates the same tasks with the same keys.
     */
    async planCycleCounts(req: PlanRequest): Promise<PlannedCounts> {
      const toItems = (items: Pick<PlannedLocation, 'rank' | 'location' | 'skus'>[]) => items.map(({ rank, location, skus }) => ({ rank, location, skus }));
      const stored = await getPlan(deps.db, req.planId);
      if (stored) return { planId: stored.id, fresh: false, considered: stored.considered, items: toItems(stored.items) };
      const policy = (await getActivePolicy(deps.db)).document;
      const { source } = policy.cycleCounting.abc;
      // the night's run keeps the ABC classes current (at most once in RECLASSIFY_AFTER_MS)
      const before = await loadLocationFeatures(deps.db, req.site, source);
      const classified = await classifySite(deps.db, req.site, policy, [...new Set(before.flatMap((f) => f.skus))]);
      const features = classified.computed ? await loadLocationFeatures(deps.db, req.site, source) : before;
      const overrides = await classOverridesAt(deps.db, req.site);
      const withOverrides = features.map((f) => {
        const named = f.skus.flatMap((sku) => {
          const o = overrides.get(sku);
          return o ? [{ sku, skuClass: o.skuClass, by: o.by, reason: o.reason }] : [];
        });
        return named.length ? { ...f, classOverrides: named } : f;
      });
      const ranked = planCycleCounts(withOverrides, { capacity: req.topN, frequencyDays: policy.cycleCounting.frequencyDays });
      const fresh = await withTransaction(deps.db, (c) =>
        insertPlan(c, { id: req.planId, site: req.site, topN: req.topN, considered: features.length, modelVersion: CYCLE_PLAN_VERSION, items: ranked }),
      );
      if (fresh) return { planId: req.planId, fresh, considered: features.length, items: toItems(ranked) };
      // another attempt recorded it between our read and our write: that one stands
      const winner = (await getPlan(deps.db, req.planId))!;
      return { planId: winner.id, fresh: false, considered: winner.considered, items: toItems(winner.items) };
    },
    async completeCountPlan(input: { planId: string; tasks: { location: string; taskIds: string[] }[] }): Promise<void> {
      await completePlan(deps.db, input.planId, input.tasks);
    },
  };
}
