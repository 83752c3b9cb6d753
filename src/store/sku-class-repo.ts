import type { Pool, PoolClient } from 'pg';
import type { SkuClass } from '../domain';

type Db = Pick<Pool | PoolClient, 'query'>;

/** ABC classes per site and sku (migrations/050_accuracy.sql): computed, and overridden by people. */
export interface StoredSkuClass {
  site: string;
  sku: string;
  computedClass: SkuClass | null;
  annualUsageValue: number | null;
  computedAt: string | null;
  overrideClass: SkuClass | null;
  overrideBy: string | null;
  overrideReason: string | null;
}

/** A row of sku_classes as Postgres returns it (class-overrides.ts reads the same table). */
export interface SkuClassDbRow {
  site: string;
  sku: string;
  computed_class: SkuClass | null;
  annual_usage_value: string | null;
  computed_at: Date | null;
  override_class: SkuClass | null;
  override_by: string | null;
  override_reason: string | null;
  override_at: Date | null;
}
type Row = SkuClassDbRow;

const toStored = (r: Row): StoredSkuClass => ({
  site: r.site,
  sku: r.sku,
  computedClass: r.computed_class,
  annualUsageValue: r.annual_usage_value === null ? null : Number(r.annual_usage_value),
  computedAt: r.computed_at ? r.computed_at.toISOString() : null,
  overrideClass: r.override_class,
  overrideBy: r.override_by,
  overrideReason: r.override_reason,
});

export async function getSkuClass(db: Db, site: string, sku: string): Promise<StoredSkuClass | null> {
  const { rows } = await db.query<Row>('SELECT * FROM sku_classes WHERE site = $1 AND sku = $2', [site, sku]);
  return rows.length ? toStored(rows[0]) : null;
}

export async function listSkuClasses(db: Db, site: string): Promise<StoredSkuClass[]> {
  const { rows } = await db.query<Row>('SELECT * FROM sku_classes WHERE site = $1 ORDER BY sku', [site]);
  return rows.map(toStored);
}

/** When the site's classes were last computed (null: never). */
export async function lastClassified(db: Db, site: string): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>('SELECT max(computed_at) AS at FROM sku_classes WHERE site = $1', [site]);
  return rows[0]?.at ?? null;
}

/** Writes a computed classification; overrides stay as they are. */
export async function storeComputedClasses(db: Db, site: string, classes: { sku: string; skuClass: SkuClass; annualUsageValue: number }[], at: Date): Promise<void> {
  if (classes.length === 0) return;
  await db.query(
    `INSERT INTO sku_classes (site, sku, computed_class, annual_usage_value, computed_at)
     SELECT $1, x.sku, x.cls, x.auv, $3 FROM jsonb_to_recordset($2::jsonb) AS x(sku text, cls text, auv numeric)
     ON CONFLICT (site, sku) DO UPDATE SET computed_class = EXCLUDED.computed_class,
       annual_usage_value = EXCLUDED.annual_usage_value, computed_at = EXCLUDED.computed_at`,
    [site, JSON.stringify(classes.map((c) => ({ sku: c.sku, cls: c.skuClass, auv: c.annualUsageValue }))), at],
  );
}

/** A person's class for a sku at a site (null clears it). Setting the same class again changes nothing. */
export async function setClassOverride(db: Db, o: { site: string; sku: string; skuClass: SkuClass | null; by: string; reason?: string }): Promise<StoredSkuClass> {
  const { rows } = await db.query<Row>(
    `INSERT INTO sku_classes (site, sku, override_class, override_by, override_reason, override_at) VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (site, sku) DO UPDATE SET override_class = EXCLUDED.override_class, override_by = EXCLUDED.override_by,
       override_reason = EXCLUDED.override_reason, override_at = now()
     RETURNING *`,
    [o.site, o.sku, o.skuClass, o.by, o.reason ?? null],
  );
  return toStored(rows[0]);
}

/**
 * Units issued per sku at a site over the window, from the events Reckon received (its own
 * history, not the system of record's), valued at the event's unit cost or the item master's.
 */
export async function usageValueBySku(db: Db, site: string, from: Date, to: Date): Promise<{ sku: string; units: number; value: number }[]> {
  const { rows } = await db.query<{ sku: string; units: string; value: string }>(
    `SELECT e.sku, sum(abs((e.body->>'qty')::numeric)) AS units,
            sum(abs((e.body->>'qty')::numeric) * COALESCE(CASE WHEN jsonb_typeof(e.body->'attributes'->'unitCost') = 'number' THEN (e.body->'attributes'->>'unitCost')::numeric END, i.unit_cost, 0)) AS value
     FROM inventory_events e LEFT JOIN model.items i ON i.sku = e.sku
     WHERE e.site = $1 AND e.occurred_at >= $2 AND e.occurred_at < $3 AND e.sku IS NOT NULL
       AND e.type IN ('pick', 'shipment', 'sale', 'transfer_shipped') AND jsonb_typeof(e.body->'qty') = 'number'
     GROUP BY e.sku`,
    [site, from, to],
  );
  return rows.map((r) => ({ sku: r.sku, units: Number(r.units), value: Number(r.value) }));
}
