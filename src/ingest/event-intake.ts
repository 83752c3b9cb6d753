import type { Pool } from 'pg';
import type { InventoryEvent } from '../domain';

export type EventIntakeStatus = 'accepted' | 'duplicate';

export interface EventIntakeResult {
  status: EventIntakeStatus;
  /** case ids opened or merged by detectors for this event */
  cases: string[];
}

/**
 * Durable intake of one canonical event: stored once per (source, eventId); a redelivery is
 * recognised and changes nothing. Detectors (DESIGN §9) hang off this function.
 */
export async function acceptEvent(db: Pool, event: InventoryEvent): Promise<EventIntakeResult> {
  const res = await db.query(
    `INSERT INTO inventory_events (source, event_id, type, occurred_at, site, sku, body)
     VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (source, event_id) DO NOTHING`,
    [event.source, event.eventId, event.type, event.occurredAt, event.site, event.sku ?? null, JSON.stringify(event)],
  );
  return { status: (res.rowCount ?? 0) > 0 ? 'accepted' : 'duplicate', cases: [] };
}
