import type { Pool } from 'pg';
import { classifyAbc } from '../domain/abc';
import type { PolicyDocument } from '../domain';
import { lastClassified, storeComputedClasses, usageValueBySku } from '../store/sku-class-repo';

type Db = Pick<Pool, 'query'>;

/** Classes are recomputed at most this often (the nightly planner asks every night). */
export const RECLASSIFY_AFTER_MS = 20 * 3_600_000;
const DAY_MS = 86_400_000;

export interface Classification {
  site: string;
  /** false: the stored classes were fresh, or the site has no movement history yet (the ERP's classes stand) */
  computed: boolean;
  classes: { sku: string; skuClass: 'A' | 'B' | 'C'; annualUsageValue: number }[];
}

/**
 * ABC classes of a site by Pareto on annual usage value: units issued over the policy's history
 * window, scaled to a year, at cost. Skus the site holds but never issued are C. Overrides are
 * kept (they win when the class is read).
 */
export async function classifySite(db: Db, site: string, policy: PolicyDocument, skus: string[], now = new Date(), force = false): Promise<Classification> {
  const last = await lastClassified(db, site);
  if (!force && last && now.getTime() - last.getTime() < RECLASSIFY_AFTER_MS) return { site, computed: false, classes: [] };
  const { historyDays, aShare, bShare } = policy.cycleCounting.abc;
  const usage = await usageValueBySku(db, site, new Date(now.getTime() - historyDays * DAY_MS), now);
  if (usage.length === 0) return { site, computed: false, classes: [] };
  const scale = 365 / historyDays;
  const bySku = new Map(usage.map((u) => [u.sku, u.value * scale]));
  for (const s of skus) if (!bySku.has(s)) bySku.set(s, 0);
  const classes = classifyAbc([...bySku].map(([sku, annualUsageValue]) => ({ sku, annualUsageValue })), { aShare, bShare });
  await storeComputedClasses(db as Pool, site, classes, now);
  return { site, computed: true, classes };
}
