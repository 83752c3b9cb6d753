import type { PoolClient } from 'pg';
import type { InventoryEvent } from '../domain';
import type { ItemMaster } from '../adapters/ports';
import { attributesOf, eventKey } from '../ingest/event-attributes';
import { stockEffects } from '../ingest/stock-effects';

type Db = Pick<PoolClient, 'query'>;

/**
 * Records an event in Reckon's own model (schema `model`): its stock movements per bin with the
 * actor, a count, and the item's cost and class when the event carries them. Runs in the
 * intake's transaction once per stored event; keyed by the event, so it never doubles.
 */
export async function applyToModel(db: Db, e: InventoryEvent): Promise<void> {
  if (!e.sku) return;
  const a = attributesOf(e);
  if (a.unitCost !== undefined && a.skuClass !== undefined) {
    await db.query(
      `INSERT INTO model.items (sku, unit_cost, sku_class) VALUES ($1, $2, $3)
       ON CONFLICT (sku) DO UPDATE SET unit_cost = EXCLUDED.unit_cost, sku_class = EXCLUDED.sku_class, updated_at = now()`,
      [e.sku, a.unitCost, a.skuClass],
    );
  }
  if (e.type === 'count' && e.qty !== undefined && e.qty >= 0) {
    await db.query(
      `INSERT INTO model.counts (id, site, location, sku, counted_qty, counted_by, counted_at) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (id) DO NOTHING`,
      [eventKey(e), e.site, e.location ?? '', e.sku, e.qty, e.actor?.userId ?? null, e.occurredAt],
    );
  }
  for (const [i, x] of stockEffects(e).filter((s) => s.wmsDelta !== 0).entries()) {
    await db.query(
      `INSERT INTO model.movements (id, site, location, sku, type, qty, user_id, device_id, occurred_at, reason_code, reference_kind, reference_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT (id) DO NOTHING`,
      [
        i === 0 ? eventKey(e) : `${eventKey(e)}#${i}`, x.site, x.location, x.sku, e.type, x.wmsDelta,
        e.actor?.userId ?? null, e.actor?.deviceId ?? null, e.occurredAt, e.reasonCode ?? null, e.reference?.kind ?? null, e.reference?.id ?? null,
      ],
    );
  }
}

/** Whether Reckon's item master knows this sku. */
export async function isItemKnown(db: Db, sku: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM model.items WHERE sku = $1', [sku])).rowCount !== 0;
}

/** The bins among `locations` Reckon's location master knows at a site. */
export async function knownLocations(db: Db, site: string, locations: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ location: string }>('SELECT location FROM model.locations WHERE site = $1 AND location = ANY($2::text[])', [site, locations]);
  return new Set(rows.map((r) => r.location));
}

/** A bin the WMS/ERP told Reckon about; a bin already known is left as it is. */
export async function addLocation(db: Db, site: string, location: string, zone: string | null): Promise<void> {
  await db.query('INSERT INTO model.locations (site, location, zone) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [site, location, zone]);
}

/** The zone of one bin; undefined when the bin or its zone is unknown. */
export async function zoneOfLocation(db: Db, site: string, location: string): Promise<string | undefined> {
  const { rows } = await db.query<{ zone: string | null }>('SELECT zone FROM model.locations WHERE site = $1 AND location = $2', [site, location]);
  return rows[0]?.zone ?? undefined;
}

/** The item master as the WMS/ERP gave it; `replace` overwrites what events said (an explicit refresh). */
export async function upsertItemMaster(db: Db, item: ItemMaster, replace: boolean): Promise<void> {
  await db.query(
    `INSERT INTO model.items (sku, unit_cost, sku_class, family, reorder_point, safety_stock) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT (sku) DO UPDATE SET family = EXCLUDED.family, reorder_point = EXCLUDED.reorder_point, safety_stock = EXCLUDED.safety_stock,
       unit_cost = CASE WHEN $7 THEN EXCLUDED.unit_cost ELSE model.items.unit_cost END,
       sku_class = CASE WHEN $7 THEN EXCLUDED.sku_class ELSE model.items.sku_class END, updated_at = now()`,
    [item.sku, item.unitCost, item.skuClass, item.family ?? null, item.reorderPoint ?? null, item.safetyStock ?? null, replace],
  );
}

/** The item's family in Reckon's item master (null when the ERP gave none, undefined when unknown). */
export async function itemFamily(db: Db, sku: string): Promise<string | null | undefined> {
  const { rows } = await db.query<{ family: string | null }>('SELECT family FROM model.items WHERE sku = $1', [sku]);
  return rows[0]?.family;
}

/** How many outbound movements of a sku at a site in the last `days` days, and how many units they took out. */
export async function outboundMovements(db: Db, site: string, sku: string, days: number, types: string[]): Promise<{ n: string; units: string | null }> {
  const moved = await db.query<{ n: string; units: string | null }>(
    `SELECT count(*) AS n, sum(-qty) FILTER (WHERE qty < 0) AS units FROM model.movements
     WHERE site = $1 AND sku = $2 AND occurred_at >= now() - make_interval(days => $3) AND type = ANY($4::text[])`,
    [site, sku, days, types],
  );
  return moved.rows[0];
}
