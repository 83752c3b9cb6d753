import type { PoolClient } from 'pg';
import type { InventoryEvent } from '../domain';
import { correctionIdsOf, eventKey } from '../ingest/event-attributes';

type Db = Pick<PoolClient, 'query'>;

/**
 * The set-based statements of a batch's phase one: one statement per table for the whole list,
 * whatever its length (arrays through `unnest`), so a batch of 500 costs a handful of round trips.
 */

/** Takes every key's advisory lock in one statement, in hash order so two batches never deadlock. */
export async function lockAll(db: Db, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    'SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext(x) AS k FROM unnest($1::text[]) x ORDER BY 1) s',
    [keys],
  );
}

export interface StoredRow {
  key: string;
  receivedAt: Date;
  processed: boolean;
}

/** Stores the events not stored before (one per source, site and id); the keys stored now with their received time. */
export async function insertEvents(db: Db, events: InventoryEvent[]): Promise<Map<string, Date>> {
  const out = new Map<string, Date>();
  if (events.length === 0) return out;
  const { rows } = await db.query<{ source: string; site: string; event_id: string; received_at: Date }>(
    `INSERT INTO inventory_events (source, event_id, type, occurred_at, site, sku, body)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::jsonb[])
     ON CONFLICT (source, site, event_id) DO NOTHING RETURNING source, site, event_id, received_at`,
    [
      events.map((e) => e.source), events.map((e) => e.eventId), events.map((e) => e.type), events.map((e) => e.occurredAt),
      events.map((e) => e.site), events.map((e) => e.sku ?? null), events.map((e) => JSON.stringify(e)),
    ],
  );
  for (const r of rows) out.set(batchKey(r.source, r.site, r.event_id), r.received_at);
  return out;
}

/** Events stored before: when each was received and whether its phase two finished. */
export async function storedEvents(db: Db, events: Pick<InventoryEvent, 'source' | 'site' | 'eventId'>[]): Promise<Map<string, StoredRow>> {
  const out = new Map<string, StoredRow>();
  if (events.length === 0) return out;
  const { rows } = await db.query<{ source: string; site: string; event_id: string; received_at: Date; processed_at: Date | null }>(
    `SELECT e.source, e.site, e.event_id, e.received_at, e.processed_at FROM inventory_events e
     JOIN unnest($1::text[], $2::text[], $3::text[]) k(source, site, event_id) USING (source, site, event_id)`,
    [events.map((e) => e.source), events.map((e) => e.site), events.map((e) => e.eventId)],
  );
  for (const r of rows) out.set(batchKey(r.source, r.site, r.event_id), { key: batchKey(r.source, r.site, r.event_id), receivedAt: r.received_at, processed: r.processed_at !== null });
  return out;
}

/** Marks phase two done for these events. */
export async function markEventsProcessed(db: Db, events: Pick<InventoryEvent, 'source' | 'site' | 'eventId'>[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `UPDATE inventory_events e SET processed_at = now() FROM unnest($1::text[], $2::text[], $3::text[]) k(source, site, event_id)
     WHERE e.source = k.source AND e.site = k.site AND e.event_id = k.event_id AND e.processed_at IS NULL`,
    [events.map((e) => e.source), events.map((e) => e.site), events.map((e) => e.eventId)],
  );
}

/**
 * Of these adjustment events, the ones echoing a correction Reckon posted (see claimEcho in
 * model-corrections): each claims its correction; returns the echoing events' keys.
 */
export async function claimEchoes(db: Db, events: InventoryEvent[]): Promise<Set<string>> {
  const rows: { key: string; site: string; sku: string; location: string; id: string; kind: 'adjustment' | 'key' }[] = [];
  for (const e of events) {
    const ids = correctionIdsOf(e);
    for (const id of ids.adjustmentIds) rows.push({ key: eventKey(e), site: e.site, sku: e.sku!, location: e.location ?? '', id, kind: 'adjustment' });
    for (const id of ids.idempotencyKeys) rows.push({ key: eventKey(e), site: e.site, sku: e.sku!, location: e.location ?? '', id, kind: 'key' });
  }
  if (rows.length === 0) return new Set();
  const claimed = await db.query<{ key: string }>(
    `WITH k AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) k(key, site, sku, location, id, kind)),
     hit AS (SELECT c.idempotency_key, k.key FROM model.corrections c JOIN k
               ON c.site = k.site AND c.sku = k.sku AND c.location = k.location
              AND ((k.kind = 'adjustment' AND c.adjustment_id = k.id) OR (k.kind = 'key' AND c.idempotency_key = k.id))),
     claimed AS (UPDATE model.corrections c SET echo_event = COALESCE(c.echo_event, (SELECT min(h.key) FROM hit h WHERE h.idempotency_key = c.idempotency_key))
                 WHERE c.idempotency_key IN (SELECT idempotency_key FROM hit))
     SELECT DISTINCT key FROM hit`,
    [rows.map((r) => r.key), rows.map((r) => r.site), rows.map((r) => r.sku), rows.map((r) => r.location), rows.map((r) => r.id), rows.map((r) => r.kind)],
  );
  return new Set(claimed.rows.map((r) => r.key));
}

/** `source \0 site \0 eventId`: an event's identity within a batch. */
export function batchKey(source: string, site: string, eventId: string): string {
  return `${source}\u0000${site}\u0000${eventId}`;
}
