import type { Pool, PoolClient } from 'pg';
import { countWithinTolerance } from '../domain/accuracy';
import { effectiveClass } from '../domain/abc';
import type { PolicyDocument, SkuClass } from '../domain';
import { zoneOf } from '../domain/tolerance';
import { countContext, insertCountResult } from '../store/count-results-repo';
import { getActivePolicy } from '../store/policy-repo';
import { getSkuClass } from '../store/sku-class-repo';

type Db = Pick<Pool | PoolClient, 'query'>;

export interface CountToRecord {
  id: string;
  origin: 'event' | 'task';
  site: string;
  location?: string;
  zone?: string;
  sku: string;
  /** the class the event or item master carries (the one tolerance is judged with, as the detector does) */
  suppliedClass: SkuClass;
  unitCost: number;
  systemQty: number;
  countedQty: number;
  countedAt: string;
}

/**
 * Records a count with its tolerance verdict and the sku's class when counted (once per id).
 * The verdict uses the class the count_variance detector judges with, so a count that opened no
 * case is an accurate one; IRA groups by the effective class (override, computed or ERP).
 */
export async function recordCountForAccuracy(db: Db, policy: PolicyDocument, c: CountToRecord): Promise<boolean> {
  const stored = await getSkuClass(db, c.site, c.sku);
  const zone = c.zone ?? zoneOf(c.location);
  const within = countWithinTolerance(policy, { site: c.site, location: c.location, zone, skuClass: c.suppliedClass, unitCost: c.unitCost, systemQty: c.systemQty, countedQty: c.countedQty });
  return insertCountResult(db, {
    id: c.id,
    origin: c.origin,
    site: c.site,
    location: c.location,
    zone,
    sku: c.sku,
    skuClass: effectiveClass(stored, c.suppliedClass, policy.cycleCounting.abc.source),
    unitCost: c.unitCost,
    systemQty: c.systemQty,
    countedQty: c.countedQty,
    withinTolerance: within,
    countedAt: c.countedAt,
  });
}

/** A count task's result (a recount or a planned count), compared with the books when counted. */
export async function recordTaskCountForAccuracy(
  db: Pool,
  r: { taskId: string; site: string; location?: string; sku: string; countedQty: number; countedAt: string; bookQty?: number },
): Promise<boolean> {
  const policy = await getActivePolicy(db);
  const item = await countContext(db, r.site, r.location, r.sku);
  return recordCountForAccuracy(db, policy.document, {
    id: `task:${r.taskId}`,
    origin: 'task',
    site: r.site,
    location: r.location,
    zone: item.zone,
    sku: r.sku,
    suppliedClass: item.skuClass,
    unitCost: item.unitCost,
    systemQty: r.bookQty ?? 0,
    countedQty: r.countedQty,
    countedAt: r.countedAt,
  });
}
