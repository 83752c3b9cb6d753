import type { PoolClient } from 'pg';
import type { InventoryEvent } from '../domain';
import { attributesOf, eventKey } from './event-attributes';
import { stockEffects } from './stock-effects';

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
