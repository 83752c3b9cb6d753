import type { PoolClient } from 'pg';
import type { InventoryEvent } from '../domain';

type Db = Pick<PoolClient, 'query'>;

/** Stores an event once per source, site and id; its received time, or undefined when it was stored before. */
export async function insertEvent(db: Db, e: InventoryEvent): Promise<Date | undefined> {
  const inserted = await db.query<{ received_at: Date }>(
    `INSERT INTO inventory_events (source, event_id, type, occurred_at, site, sku, body)
       VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (source, site, event_id) DO NOTHING RETURNING received_at`,
    [e.source, e.eventId, e.type, e.occurredAt, e.site, e.sku ?? null, JSON.stringify(e)],
  );
  return inserted.rows[0]?.received_at;
}

/** When a stored event was received and whether its phase two finished. */
export async function storedEvent(db: Db, e: { source: string; site: string; eventId: string }): Promise<{ processed_at: Date | null; received_at: Date } | undefined> {
  const prior = await db.query<{ processed_at: Date | null; received_at: Date }>(
    'SELECT processed_at, received_at FROM inventory_events WHERE source = $1 AND site = $2 AND event_id = $3',
    [e.source, e.site, e.eventId],
  );
  return prior.rows[0];
}
