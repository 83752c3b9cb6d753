import type { Pool, PoolClient } from 'pg';
import { binClass } from '../domain/abc';
import { BIN_VELOCITY_WINDOW_DAYS, ERROR_WINDOW_DAYS } from '../domain/count-risk';
import type { PlanningLocation } from '../domain/cycle-plan';
import type { CycleCountSettings, SkuClass } from '../domain';

type Db = Pick<Pool | PoolClient, 'query'>;

/** Movements that take stock out of a bin: what wears a bin's balance and breeds miscounts. */
export const BIN_OUTBOUND_TYPES = ['pick', 'shipment', 'sale', 'transfer_shipped', 'move'];

interface FeatureRow {
  location: string;
  skus: string[];
  classes: SkuClass[];
  stock_value: string | null;
  error_cases: string;
  out_units: string;
  days_since_count: string | null;
  open_task: boolean;
}

/**
 * Every binned location of a site Reckon knows stock in, with its risk features:
 * cases at the bin in the error window (false positives — rejected cases — do not count),
 * outbound units a day, stock at cost, days since its last count, and whether a count task is
 * already open. One grouped read by site (a nightly batch, not a hot path).
 */
export async function loadLocationFeatures(
  db: Db,
  site: string,
  classSource: CycleCountSettings['abc']['source'] = 'computed',
): Promise<PlanningLocation[]> {
  const { rows } = await db.query<FeatureRow>(FROM_MODEL, [site, ERROR_WINDOW_DAYS, BIN_VELOCITY_WINDOW_DAYS, BIN_OUTBOUND_TYPES, classSource]);
  return rows.map((r) => ({
    location: r.location,
    skus: r.skus,
    skuClass: binClass(r.classes),
    errorCases: Number(r.error_cases),
    velocityPerDay: Number(r.out_units) / BIN_VELOCITY_WINDOW_DAYS,
    stockValue: Number(r.stock_value ?? 0),
    daysSinceCount: r.days_since_count === null ? null : Number(r.days_since_count),
    openCountTask: r.open_task,
  }));
}

const ERRORS = `errors AS (
       SELECT location, count(*) AS n FROM discrepancies
       WHERE site = $1 AND location IS NOT NULL AND opened_at >= now() - make_interval(days => $2)
         AND resolution IS DISTINCT FROM 'rejected_no_change'
       GROUP BY location)`;
/** The effective class of each sku (domain/abc.ts effectiveClass): override, then by source. */
const CLASSES = `array_agg(COALESCE(sc.override_class,
                CASE WHEN $5 = 'erp' THEN COALESCE(i.sku_class, sc.computed_class) ELSE COALESCE(sc.computed_class, i.sku_class) END, 'C')) AS classes`;
const SELECT_FEATURES = `SELECT bins.location, bins.skus, bins.classes, bins.stock_value, COALESCE(errors.n, 0) AS error_cases, COALESCE(moved.units, 0) AS out_units,
            -- GREATEST skips NULLs: a bin never counted must stay NULL, not become 0 days
            CASE WHEN counted.last IS NULL THEN NULL ELSE GREATEST(0, EXTRACT(EPOCH FROM (now() - counted.last)) / 86400) END AS days_since_count,
            open_tasks.location IS NOT NULL AS open_task
     FROM bins
     LEFT JOIN errors ON errors.location = bins.location
     LEFT JOIN moved ON moved.location = bins.location
     LEFT JOIN counted ON counted.location = bins.location
     LEFT JOIN open_tasks ON open_tasks.location = bins.location`;

/**
 * The features from Reckon's own model: stock built from events and seeded from the WMS/ERP
 * (features.stock), movements and counts as events and count tasks reported them (model.*), the
 * item master it keeps (model.items), and the count tasks it asked for and nobody counted yet.
 */
const FROM_MODEL = `WITH bins AS (
       SELECT b.location, array_agg(b.sku ORDER BY b.sku) AS skus, sum(GREATEST(b.wms_qty, 0) * COALESCE(i.unit_cost, 0)) AS stock_value,
              ${CLASSES}
       FROM features.stock b LEFT JOIN model.items i ON i.sku = b.sku
       LEFT JOIN sku_classes sc ON sc.site = b.site AND sc.sku = b.sku
       WHERE b.site = $1 AND b.location <> '' AND (b.wms_qty <> 0 OR b.erp_qty <> 0)
       GROUP BY b.location),
     ${ERRORS},
     moved AS (
       SELECT location, sum(-qty) AS units FROM model.movements
       WHERE site = $1 AND location <> '' AND occurred_at >= now() - make_interval(days => $3)
         AND qty < 0 AND type = ANY($4::text[])
       GROUP BY location),
     counted AS (
       SELECT location, max(counted_at) AS last FROM model.counts WHERE site = $1 AND location <> '' GROUP BY location),
     open_tasks AS (
       SELECT DISTINCT location FROM count_tasks WHERE site = $1 AND status = 'open' AND location IS NOT NULL)
     ${SELECT_FEATURES}`;
