import type { PoolClient } from 'pg';
import { zoneOf, type InventoryEvent } from '../domain';
import { announcedLines, attributesOf, documentIdOf } from '../ingest/event-attributes';
import { dayOf, isUnexplainedLoss, scannersOf, shrinkEntities } from '../ingest/event-classes';
import { stockEffects, stockedLocations } from '../ingest/stock-effects';
import type { Features } from '../ingest/features/types';

type Db = Pick<PoolClient, 'query'>;

/**
 * Folds one event into the features, in the intake's transaction (so an event is counted
 * exactly once: the event row and its feature updates commit together).
 */
export async function applyFeatures(db: Db, e: InventoryEvent, f: Features, opts: { ownCorrection?: boolean } = {}): Promise<void> {
  // an echo of Reckon's own correction: the correction moved the balances when it was posted
  if (!opts.ownCorrection) await updateStock(db, e);
  await updateBinActivity(db, e);
  await updateLastScan(db, e, f);
  await updateInbound(db, e);
  await updateAdjustmentBuckets(db, e);
  await updateLots(db, e, f);
}

async function updateStock(db: Db, e: InventoryEvent): Promise<void> {
  for (const x of stockEffects(e)) {
    await db.query(
      `INSERT INTO features.stock (site, location, sku, wms_qty, erp_qty) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (site, location, sku) DO UPDATE SET wms_qty = features.stock.wms_qty + EXCLUDED.wms_qty,
         erp_qty = features.stock.erp_qty + EXCLUDED.erp_qty, updated_at = now()`,
      [x.site, x.location, x.sku, x.wmsDelta, x.erpDelta],
    );
  }
}

async function updateBinActivity(db: Db, e: InventoryEvent): Promise<void> {
  if (!e.sku) return;
  for (const location of stockedLocations(e)) {
    await db.query(
      `INSERT INTO features.bin_activity (site, location, sku, last_stocked_at) VALUES ($1,$2,$3,$4)
       ON CONFLICT (site, location, sku) DO UPDATE SET last_stocked_at = GREATEST(features.bin_activity.last_stocked_at, EXCLUDED.last_stocked_at)`,
      [e.site, location, e.sku, e.occurredAt],
    );
  }
  if (e.type === 'pick' && e.location) {
    await db.query(
      `INSERT INTO features.bin_activity (site, location, sku, last_picked_at) VALUES ($1,$2,$3,$4)
       ON CONFLICT (site, location, sku) DO UPDATE SET last_picked_at = GREATEST(features.bin_activity.last_picked_at, EXCLUDED.last_picked_at)`,
      [e.site, e.location, e.sku, e.occurredAt],
    );
  }
}

/** Only a later scan replaces the last one: events may arrive out of order. */
async function updateLastScan(db: Db, e: InventoryEvent, f: Features): Promise<void> {
  if (!e.location) return;
  for (const scanner of scannersOf(e)) {
    await db.query(
      `INSERT INTO features.last_scan (site, scanner, location, zone, at, event_id) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (site, scanner) DO UPDATE SET location = EXCLUDED.location, zone = EXCLUDED.zone, at = EXCLUDED.at, event_id = EXCLUDED.event_id
       WHERE features.last_scan.at <= EXCLUDED.at`,
      [e.site, scanner, e.location, f.zones[e.location] ?? zoneOf(e.location) ?? null, e.occurredAt, e.eventId],
    );
  }
}

/**
 * ASN/PO lines: announced with their expected quantities; receipts add to the line they name
 * (or the line of their sku). A receipt of another sku than the line's is not counted against
 * it. Closing a line or the document marks what the receiving detector has already compared.
 */
async function updateInbound(db: Db, e: InventoryEvent): Promise<void> {
  if (e.type === 'asn' || e.type === 'purchase_order') {
    const kind = e.type === 'asn' ? 'asn' : 'po';
    for (const l of announcedLines(e)) {
      await db.query(
        `INSERT INTO features.inbound_lines (site, doc_kind, doc_id, line, sku, location, expected_qty, announced) VALUES ($1,$2,$3,$4,$5,$6,$7,true)
         ON CONFLICT (site, doc_kind, doc_id, line) DO UPDATE SET sku = EXCLUDED.sku, location = COALESCE(EXCLUDED.location, features.inbound_lines.location),
           expected_qty = EXCLUDED.expected_qty, announced = true`,
        [e.site, kind, documentIdOf(e), l.line, l.sku, l.location ?? e.location ?? null, l.qty],
      );
      // receipts that arrived before the document was announced join the line of their sku
      await db.query(
        `WITH early AS (
           DELETE FROM features.inbound_lines WHERE site = $1 AND doc_kind = $2 AND doc_id = $3 AND NOT announced AND sku = $5 AND line <> $4
           RETURNING received_qty)
         UPDATE features.inbound_lines SET received_qty = received_qty + (SELECT COALESCE(sum(received_qty), 0) FROM early)
         WHERE site = $1 AND doc_kind = $2 AND doc_id = $3 AND line = $4`,
        [e.site, kind, documentIdOf(e), l.line, l.sku],
      );
    }
    return;
  }
  const ref = e.reference;
  const kind = ref?.kind === 'asn' ? 'asn' : ref?.kind === 'po' || ref?.kind === 'purchase_order' ? 'po' : undefined;
  if (e.type !== 'receipt' || !ref || !kind || !e.sku || e.qty === undefined) return;
  const a = attributesOf(e);
  const named = ref.line
    ? (await db.query<{ line: string; sku: string | null }>('SELECT line, sku FROM features.inbound_lines WHERE site = $1 AND doc_kind = $2 AND doc_id = $3 AND line = $4', [e.site, kind, ref.id, ref.line])).rows[0]
    : (await db.query<{ line: string; sku: string | null }>('SELECT line, sku FROM features.inbound_lines WHERE site = $1 AND doc_kind = $2 AND doc_id = $3 AND sku = $4 ORDER BY closed_at NULLS FIRST, line LIMIT 1', [e.site, kind, ref.id, e.sku])).rows[0];
  const line = named?.line ?? ref.line ?? '';
  if (!named) {
    // receipts before (or without) the document: remembered, not yet comparable
    await db.query(
      `INSERT INTO features.inbound_lines (site, doc_kind, doc_id, line, sku, location, received_qty) VALUES ($1,$2,$3,$4,$5,$6,$7)
       ON CONFLICT (site, doc_kind, doc_id, line) DO UPDATE SET received_qty = features.inbound_lines.received_qty + EXCLUDED.received_qty`,
      [e.site, kind, ref.id, line, e.sku, e.location ?? null, Math.abs(e.qty)],
    );
  } else if (named.sku === null || named.sku === e.sku) {
    // the dock it was received at (the receipt's location) is where a recount of the line is made
    await db.query('UPDATE features.inbound_lines SET received_qty = received_qty + $5, location = COALESCE($6, location) WHERE site = $1 AND doc_kind = $2 AND doc_id = $3 AND line = $4', [e.site, kind, ref.id, line, Math.abs(e.qty), e.location ?? null]);
  }
  if (a.closesDocument) {
    await db.query('UPDATE features.inbound_lines SET closed_at = COALESCE(closed_at, $4) WHERE site = $1 AND doc_kind = $2 AND doc_id = $3', [e.site, kind, ref.id, e.occurredAt]);
  } else if (a.closesLine && named) {
    await db.query('UPDATE features.inbound_lines SET closed_at = COALESCE(closed_at, $5) WHERE site = $1 AND doc_kind = $2 AND doc_id = $3 AND line = $4', [e.site, kind, ref.id, line, e.occurredAt]);
  }
}

/** Activity for every entity of the event (so quiet peers count as zeros); losses when unexplained. */
async function updateAdjustmentBuckets(db: Db, e: InventoryEvent): Promise<void> {
  const loss = isUnexplainedLoss(e) ? Math.abs(e.qty!) : 0;
  for (const { dimension, key } of shrinkEntities(e)) {
    await db.query(
      `INSERT INTO features.adjustment_buckets (site, dimension, key, day, loss_units, loss_count) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (site, dimension, day, key) DO UPDATE SET loss_units = features.adjustment_buckets.loss_units + EXCLUDED.loss_units,
         loss_count = features.adjustment_buckets.loss_count + EXCLUDED.loss_count`,
      [e.site, dimension, key, dayOf(e.occurredAt), loss, loss > 0 ? 1 : 0],
    );
  }
}

async function updateLots(db: Db, e: InventoryEvent, f: Features): Promise<void> {
  if (!e.lot || !e.sku) return;
  const expiresOn = e.expiresOn ?? f.lotExpiresOn ?? null;
  for (const x of stockEffects(e)) {
    if (x.wmsDelta === 0 || x.location === '') continue;
    await db.query(
      `INSERT INTO features.lots (site, location, sku, lot, expires_on, qty) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (site, sku, location, lot) DO UPDATE SET qty = features.lots.qty + EXCLUDED.qty,
         expires_on = COALESCE(EXCLUDED.expires_on, features.lots.expires_on)`,
      [e.site, x.location, e.sku, e.lot, expiresOn, x.wmsDelta],
    );
  }
}

/** A bin's first balance as the WMS/ERP gave it; false when Reckon already had one. */
export async function seedStock(db: Db, key: { site: string; sku: string; location: string }, qty: { wms: number; erp: number }): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO features.stock (site, location, sku, wms_qty, erp_qty) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (site, location, sku) DO NOTHING`,
    [key.site, key.location, key.sku, qty.wms, qty.erp],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Closes every still-open line of a receiving document. */
export async function closeInboundLines(db: Db, doc: { site: string; kind: string; docId: string }): Promise<void> {
  await db.query('UPDATE features.inbound_lines SET closed_at = now() WHERE site = $1 AND doc_kind = $2 AND doc_id = $3 AND closed_at IS NULL', [doc.site, doc.kind, doc.docId]);
}
