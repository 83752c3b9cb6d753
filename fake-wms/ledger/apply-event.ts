import type { Pool, PoolClient } from 'pg';
import type { InventoryEvent } from '../../src/domain';
import { announcedLines, attributesOf, correctionIdsOf, documentIdOf, eventKey } from '../../src/ingest/event-attributes';
import { stockEffects } from '../../src/ingest/stock-effects';
import { withTransaction } from '../../src/store/db';

type Db = Pick<PoolClient, 'query'>;

/**
 * The fake WMS/ERP follows the events it is told of: books one the way a WMS/ERP pair that had
 * emitted it would have: balances in both views (see stockEffects), transactions as evidence, count history,
 * inbound documents, transfers, returns and allocations. In one transaction;
 * `ledger.applied_events` makes a second application of the same (source, eventId) a no-op.
 * Returns whether this call applied it.
 */
export async function applyEventToLedger(db: Db, e: InventoryEvent): Promise<boolean> {
  const first = await db.query('INSERT INTO ledger.applied_events (source, site, event_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [e.source, e.site, e.eventId]);
  if ((first.rowCount ?? 0) === 0) return false;
  // its own adjustment (one Reckon posted) coming back as an event: booked when it was posted
  if (await isOwnAdjustment(db, e)) return true;
  await applyBalances(db, e);
  switch (e.type) {
    case 'count':
      await recordCount(db, e);
      break;
    case 'receipt':
      await recordReceipt(db, e);
      break;
    case 'asn':
    case 'purchase_order':
      await upsertInboundDocument(db, e);
      break;
    case 'transfer_shipped':
    case 'transfer_received':
      await upsertTransfer(db, e);
      break;
    case 'return_received':
    case 'return_disposition':
      await upsertReturn(db, e);
      break;
    case 'reservation':
    case 'pick':
    case 'shipment':
      await updateAllocation(db, e);
      break;
    default:
      break;
  }
  return true;
}

async function isOwnAdjustment(db: Db, e: InventoryEvent): Promise<boolean> {
  const ids = correctionIdsOf(e);
  if (ids.adjustmentIds.length === 0 && ids.idempotencyKeys.length === 0) return false;
  const { rowCount } = await db.query('SELECT 1 FROM ledger.adjustments WHERE site = $1 AND (id = ANY($2::text[]) OR idempotency_key = ANY($3::text[]))', [e.site, ids.adjustmentIds, ids.idempotencyKeys]);
  return (rowCount ?? 0) > 0;
}

async function applyBalances(db: Db, e: InventoryEvent): Promise<void> {
  const effects = stockEffects(e);
  const actor = e.actor ?? {};
  for (const [i, x] of effects.entries()) {
    await db.query(
      `INSERT INTO ledger.balances (site, location, sku, wms_qty, erp_qty) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (site, location, sku) DO UPDATE SET wms_qty = ledger.balances.wms_qty + EXCLUDED.wms_qty,
         erp_qty = ledger.balances.erp_qty + EXCLUDED.erp_qty, updated_at = now()`,
      [x.site, x.location, x.sku, x.wmsDelta, x.erpDelta],
    );
    const qty = x.wmsDelta !== 0 ? x.wmsDelta : x.erpDelta;
    if (qty === 0) continue;
    await db.query(
      `INSERT INTO ledger.transactions (id, site, location, sku, type, qty, user_id, device_id, occurred_at, reason_code,
         reference_kind, reference_id, reference_line, posted_to_erp)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) ON CONFLICT (id) DO NOTHING`,
      [
        i === 0 ? eventKey(e) : `${eventKey(e)}#${i}`, x.site, x.location || null, x.sku, e.type, qty,
        actor.userId ?? null, actor.deviceId ?? null, e.occurredAt, e.reasonCode ?? null,
        e.reference?.kind ?? null, e.reference?.id ?? null, e.reference?.line ?? null, x.erpDelta !== 0,
      ],
    );
  }
}

async function recordCount(db: Db, e: InventoryEvent): Promise<void> {
  if (!e.sku || e.qty === undefined || e.qty < 0) return;
  await db.query(
    `INSERT INTO ledger.counts (id, site, location, sku, counted_qty, counted_by, counted_at) VALUES ($1,$2,$3,$4,$5,$6,$7)
     ON CONFLICT (id) DO NOTHING`,
    [eventKey(e), e.site, e.location ?? null, e.sku, e.qty, e.actor?.userId ?? null, e.occurredAt],
  );
}

const docKindOf = (kind: string | undefined) => (kind === 'asn' ? 'asn' : kind === 'po' || kind === 'purchase_order' ? 'po' : undefined);

/**
 * A WMS receipt: a receipt document (unposted unless the ERP has it) and the received quantity
 * on the ASN/PO line it names. An ERP-sourced receipt is the ERP's posting of earlier WMS
 * receipts at the same bin: they become posted, oldest first.
 */
async function recordReceipt(db: Db, e: InventoryEvent): Promise<void> {
  if (!e.sku || e.qty === undefined) return;
  const qty = Math.abs(e.qty);
  if (e.source.toLowerCase() === 'erp') {
    await db.query(
      `UPDATE ledger.inbound_documents d SET posted_to_erp = true
       FROM (SELECT id, line, sum(received_qty) OVER (ORDER BY received_at, id) AS running
             FROM ledger.inbound_documents
             WHERE doc_kind = 'receipt' AND NOT posted_to_erp AND site = $1 AND sku = $2 AND location IS NOT DISTINCT FROM $3) p
       WHERE d.doc_kind = 'receipt' AND d.id = p.id AND d.line = p.line AND p.running <= $4`,
      [e.site, e.sku, e.location ?? null, qty],
    );
    return;
  }
  const posted = attributesOf(e).postedToErp ?? false;
  await db.query(
    `INSERT INTO ledger.inbound_documents (doc_kind, id, line, site, location, sku, expected_qty, received_qty, posted_to_erp, received_at)
     VALUES ('receipt', $1, '', $2, $3, $4, 0, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [eventKey(e), e.site, e.location ?? null, e.sku, qty, posted, e.occurredAt],
  );
  const kind = docKindOf(e.reference?.kind);
  if (!kind || !e.reference) return;
  const line = e.reference.line ?? (await lineForSku(db, kind, e.reference.id, e.sku)) ?? '';
  const updated = await db.query(
    `UPDATE ledger.inbound_documents SET received_qty = received_qty + $4, received_at = $5, posted_to_erp = posted_to_erp OR $6
     WHERE doc_kind = $1 AND id = $2 AND line = $3 AND sku = $7`,
    [kind, e.reference.id, line, qty, e.occurredAt, posted, e.sku],
  );
  if ((updated.rowCount ?? 0) > 0) return;
  // a receipt for a line the ledger does not know, or for another sku than the line's:
  // kept on its own line so the document shows what arrived
  const own = (await db.query('SELECT 1 FROM ledger.inbound_documents WHERE doc_kind = $1 AND id = $2 AND line = $3', [kind, e.reference.id, line])).rowCount
    ? `${line}/${e.sku}`
    : line;
  await db.query(
    `INSERT INTO ledger.inbound_documents (doc_kind, id, line, site, location, sku, expected_qty, received_qty, posted_to_erp, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9)
     ON CONFLICT (doc_kind, id, line) DO UPDATE SET received_qty = ledger.inbound_documents.received_qty + EXCLUDED.received_qty,
       received_at = EXCLUDED.received_at`,
    [kind, e.reference.id, own, e.site, e.location ?? null, e.sku, qty, posted, e.occurredAt],
  );
}

async function lineForSku(db: Db, kind: string, id: string, sku: string): Promise<string | undefined> {
  const { rows } = await db.query<{ line: string }>('SELECT line FROM ledger.inbound_documents WHERE doc_kind = $1 AND id = $2 AND sku = $3 ORDER BY line LIMIT 1', [kind, id, sku]);
  return rows[0]?.line;
}

async function upsertInboundDocument(db: Db, e: InventoryEvent): Promise<void> {
  const kind = e.type === 'asn' ? 'asn' : 'po';
  for (const l of announcedLines(e)) {
    await db.query(
      `INSERT INTO ledger.inbound_documents (doc_kind, id, line, site, location, sku, expected_qty, posted_to_erp)
       VALUES ($1, $2, $3, $4, $5, $6, $7, true)
       ON CONFLICT (doc_kind, id, line) DO UPDATE SET expected_qty = EXCLUDED.expected_qty, sku = EXCLUDED.sku,
         location = COALESCE(EXCLUDED.location, ledger.inbound_documents.location)`,
      [kind, documentIdOf(e), l.line, e.site, l.location ?? e.location ?? null, l.sku, l.qty],
    );
  }
}

async function upsertTransfer(db: Db, e: InventoryEvent): Promise<void> {
  if (!e.sku || !e.qty) return;
  const a = attributesOf(e);
  const id = documentIdOf(e);
  const qty = Math.abs(e.qty);
  if (e.type === 'transfer_shipped') {
    await db.query(
      `INSERT INTO ledger.transfers (id, sku, from_site, from_location, to_site, to_location, qty, shipped_at, eta)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
       ON CONFLICT (id) DO UPDATE SET from_site = EXCLUDED.from_site, from_location = EXCLUDED.from_location,
         qty = EXCLUDED.qty, shipped_at = EXCLUDED.shipped_at, eta = EXCLUDED.eta`,
      [id, e.sku, e.site, e.location ?? null, a.toSite ?? 'UNKNOWN', a.toLocation ?? null, qty, e.occurredAt, a.eta ?? e.occurredAt],
    );
    return;
  }
  const fromErp = e.source.toLowerCase() === 'erp';
  await db.query(
    `INSERT INTO ledger.transfers (id, sku, from_site, to_site, to_location, qty, shipped_at, eta, received_in_wms, received_in_erp, received_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$7,$8,$9,$7)
     ON CONFLICT (id) DO UPDATE SET to_site = EXCLUDED.to_site, to_location = COALESCE(EXCLUDED.to_location, ledger.transfers.to_location),
       received_in_wms = ledger.transfers.received_in_wms OR EXCLUDED.received_in_wms,
       received_in_erp = ledger.transfers.received_in_erp OR EXCLUDED.received_in_erp, received_at = EXCLUDED.received_at`,
    [id, e.sku, a.fromSite ?? 'UNKNOWN', e.site, e.location ?? null, qty, e.occurredAt, !fromErp, fromErp || (a.postedToErp ?? false)],
  );
}

async function upsertReturn(db: Db, e: InventoryEvent): Promise<void> {
  const id = documentIdOf(e);
  if (e.type === 'return_disposition') {
    await db.query('UPDATE ledger.returns SET dispositioned = true WHERE id = $1', [id]);
    return;
  }
  if (!e.sku || !e.qty) return;
  await db.query(
    `INSERT INTO ledger.returns (id, site, location, sku, qty, received_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (id) DO NOTHING`,
    [id, e.site, e.location ?? null, e.sku, Math.abs(e.qty), e.occurredAt],
  );
}

/** Reservations make allocations; picks against an order fill them; the shipment issues them in the ERP. */
async function updateAllocation(db: Db, e: InventoryEvent): Promise<void> {
  if (!e.sku || e.qty === undefined || e.reference?.kind !== 'order') return;
  const orderId = e.reference.id;
  const qty = Math.abs(e.qty);
  if (e.type === 'reservation') {
    await db.query(
      `INSERT INTO ledger.allocations (id, order_id, site, location, sku, qty) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (id) DO UPDATE SET qty = EXCLUDED.qty`,
      [`${orderId}:${e.sku}:${e.location ?? ''}`, orderId, e.site, e.location ?? null, e.sku, qty],
    );
  } else if (e.type === 'pick') {
    await db.query(
      `UPDATE ledger.allocations SET picked_qty = LEAST(qty, picked_qty + $4)
       WHERE id = (SELECT id FROM ledger.allocations WHERE order_id = $1 AND site = $2 AND sku = $3 AND NOT issued_in_erp ORDER BY (location IS NOT DISTINCT FROM $5) DESC, id LIMIT 1)`,
      [orderId, e.site, e.sku, qty, e.location ?? null],
    );
  } else {
    await db.query('UPDATE ledger.allocations SET issued_in_erp = true WHERE order_id = $1 AND site = $2 AND sku = $3', [orderId, e.site, e.sku]);
  }
}

/** Books one event in its own transaction; events of one site and sku one after another. */
export async function followEvent(pool: Pool, e: InventoryEvent): Promise<boolean> {
  return withTransaction(pool, async (c) => {
    if (e.sku) await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fake-wms-stock:${e.site}|${e.sku}`]);
    return applyEventToLedger(c, e);
  });
}
