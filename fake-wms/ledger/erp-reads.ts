import type { Pool } from 'pg';
import type { AllocationEvidence, InboundEvidence, TransferEvidence } from '../../src/domain';
import type { StockKey } from '../../src/adapters/ports';
import { EVIDENCE_LIMIT, iso, isoOrUndefined, num, stockParams } from './rows';

/** The ERP view of on-hand; without a location, summed over the site. */
export async function getErpOnHand(pool: Pool, key: StockKey): Promise<{ qty: number } | null> {
  const { rows } = await pool.query<{ n: string; qty: string | null }>({
    name: 'ledger-erp-on-hand',
    text: `SELECT count(*) AS n, sum(erp_qty) AS qty FROM ledger.balances
     WHERE site = $1 AND sku = $2 AND ($3::text IS NULL OR location = $3::text)`,
    values: stockParams(key),
  });
  return num(rows[0].n) === 0 ? null : { qty: num(rows[0].qty) };
}

export async function listOpenAllocations(pool: Pool, key: StockKey): Promise<AllocationEvidence[]> {
  const { rows } = await pool.query<{ id: string; order_id: string; qty: string; picked_qty: string; issued_in_erp: boolean }>({
    name: 'ledger-allocations',
    text: `SELECT id, order_id, qty, picked_qty, issued_in_erp FROM ledger.allocations
     WHERE NOT issued_in_erp AND site = $1 AND sku = $2 AND ($3::text IS NULL OR location = $3::text)
     ORDER BY id LIMIT ${EVIDENCE_LIMIT}`,
    values: stockParams(key),
  });
  return rows.map((r) => ({ id: r.id, orderId: r.order_id, qty: num(r.qty), pickedQty: num(r.picked_qty), issuedInErp: r.issued_in_erp }));
}

/**
 * The referenced document's lines for this sku (any location: an ASN is not binned), plus
 * every receipt at the sku/location the WMS has taken but the ERP has not posted — those are
 * what make the two views differ, whatever document the report named.
 */
export async function listInboundDocuments(pool: Pool, key: StockKey, reference?: { kind: string; id: string }): Promise<InboundEvidence[]> {
  const { rows } = await pool.query<{
    doc_kind: InboundEvidence['docKind'];
    id: string;
    line: string;
    expected_qty: string;
    received_qty: string;
    posted_to_erp: boolean;
    received_at: Date | null;
  }>({
    name: 'ledger-inbound',
    text: `SELECT doc_kind, id, line, expected_qty, received_qty, posted_to_erp, received_at FROM ledger.inbound_documents
     WHERE site = $1 AND sku = $2 AND (
       (doc_kind = $4::text AND id = $5::text)
       OR (doc_kind = 'receipt' AND NOT posted_to_erp AND ($3::text IS NULL OR location = $3::text)))
     ORDER BY received_at DESC NULLS LAST, doc_kind, id, line LIMIT ${EVIDENCE_LIMIT}`,
    values: [...stockParams(key), reference?.kind ?? null, reference?.id ?? null],
  });
  return rows.map((r) => ({
    docKind: r.doc_kind,
    id: r.id,
    line: r.line === '' ? undefined : r.line,
    expectedQty: num(r.expected_qty),
    receivedQty: num(r.received_qty),
    postedToErp: r.posted_to_erp,
    receivedAt: isoOrUndefined(r.received_at),
  }));
}

/** Transfers the ERP has not received yet, seen from this site (and location, when given). */
export async function listTransfersInTransit(pool: Pool, key: StockKey): Promise<TransferEvidence[]> {
  const { rows } = await pool.query<{
    id: string;
    from_site: string;
    to_site: string;
    qty: string;
    shipped_at: Date;
    eta: Date;
    received_in_wms: boolean;
    outbound: boolean;
  }>({
    name: 'ledger-transfers',
    text: `SELECT id, from_site, to_site, qty, shipped_at, eta, received_in_wms,
            (from_site = $1 AND ($3::text IS NULL OR from_location = $3::text)) AS outbound
     FROM ledger.transfers
     WHERE sku = $2 AND NOT received_in_erp AND (
       (from_site = $1 AND ($3::text IS NULL OR from_location = $3::text))
       OR (to_site = $1 AND ($3::text IS NULL OR to_location = $3::text)))
     ORDER BY shipped_at DESC, id LIMIT ${EVIDENCE_LIMIT}`,
    values: stockParams(key),
  });
  return rows.map((r) => ({
    id: r.id,
    fromSite: r.from_site,
    toSite: r.to_site,
    qty: num(r.qty),
    shippedAt: iso(r.shipped_at),
    eta: iso(r.eta),
    direction: r.outbound ? 'outbound' : 'inbound',
    receivedInWms: r.received_in_wms,
  }));
}
