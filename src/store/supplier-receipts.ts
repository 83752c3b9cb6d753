import type { Pool } from 'pg';

type Db = Pick<Pool, 'query'>;

/** An ASN's sku as received, with the ASN's supplier: announced units against units booked at the dock. */
export interface SupplierReceivedLine {
  supplier: string;
  asn: string;
  sku: string;
  /** the last receipt against the ASN */
  at: string;
  announced: number;
  received: number;
  /** the receipts' event ids (at most 20 a line) */
  eventIds: string[];
  unitCost: number | null;
}

/**
 * ASNs naming a supplier (`attributes.supplier`) received at a site in the window, per sku:
 * what the ASN announced (its `attributes.lines`, else its own sku and qty) against what the
 * WMS's receipts booked (an ERP-sourced receipt is the ERP posting one the WMS booked). An ASN
 * counts once its last receipt is older than `settledBefore`: a truck still being booked is not short.
 */
export async function supplierReceivedLines(db: Db, site: string, from: Date, settledBefore: Date): Promise<SupplierReceivedLine[]> {
  const { rows } = await db.query<{ supplier: string; asn: string; sku: string; at: Date; announced: string; received: string; event_ids: string[]; unit_cost: string | null }>(
    `WITH asns AS (
       SELECT DISTINCT ON (e.body->'reference'->>'id') e.body->'reference'->>'id' AS asn, e.body->'attributes'->>'supplier' AS supplier, e.body
       FROM inventory_events e
       WHERE e.site = $1 AND e.type = 'asn' AND e.occurred_at >= $2 AND e.body->'reference'->>'kind' = 'asn'
         AND jsonb_typeof(e.body->'attributes'->'supplier') = 'string'
       ORDER BY e.body->'reference'->>'id', e.occurred_at DESC),
     announced AS (
       SELECT a.supplier, a.asn, l->>'sku' AS sku, sum((l->>'qty')::numeric) AS qty
       FROM asns a CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(a.body->'attributes'->'lines') = 'array' AND jsonb_array_length(a.body->'attributes'->'lines') > 0
              THEN a.body->'attributes'->'lines' ELSE jsonb_build_array(jsonb_build_object('sku', a.body->>'sku', 'qty', a.body->'qty')) END) AS l
       WHERE jsonb_typeof(l->'sku') = 'string' AND jsonb_typeof(l->'qty') = 'number' AND (l->>'qty')::numeric >= 0
       GROUP BY 1, 2, 3),
     receipts AS (
       SELECT e.body->'reference'->>'id' AS asn, e.sku, sum(abs((e.body->>'qty')::numeric)) AS qty, max(e.occurred_at) AS at,
              (array_agg(e.event_id ORDER BY e.occurred_at))[1:20] AS event_ids,
              max(CASE WHEN jsonb_typeof(e.body->'attributes'->'unitCost') = 'number' THEN (e.body->'attributes'->>'unitCost')::numeric END) AS unit_cost
       FROM inventory_events e
       WHERE e.site = $1 AND e.type = 'receipt' AND e.occurred_at >= $2 AND lower(e.source) <> 'erp'
         AND e.body->'reference'->>'kind' = 'asn' AND jsonb_typeof(e.body->'qty') = 'number' AND e.sku IS NOT NULL
       GROUP BY 1, 2),
     delivered AS (SELECT asn, max(at) AS at FROM receipts GROUP BY asn HAVING max(at) < $3)
     SELECT a.supplier, a.asn, a.sku, d.at, a.qty AS announced, COALESCE(r.qty, 0) AS received, COALESCE(r.event_ids, '{}') AS event_ids, r.unit_cost
     FROM announced a JOIN delivered d ON d.asn = a.asn LEFT JOIN receipts r ON r.asn = a.asn AND r.sku = a.sku
     ORDER BY d.at, a.asn, a.sku`,
    [site, from, settledBefore],
  );
  return rows.map((r) => ({
    supplier: r.supplier,
    asn: r.asn,
    sku: r.sku,
    at: r.at.toISOString(),
    announced: Number(r.announced),
    received: Number(r.received),
    eventIds: r.event_ids,
    unitCost: r.unit_cost === null ? null : Number(r.unit_cost),
  }));
}

/** Sites that received ASNs naming a supplier since `from`. */
export async function sitesWithSupplierAsns(db: Db, from: Date): Promise<string[]> {
  const { rows } = await db.query<{ site: string }>(
    `SELECT DISTINCT site FROM inventory_events WHERE type = 'asn' AND occurred_at >= $1 AND jsonb_typeof(body->'attributes'->'supplier') = 'string' ORDER BY site`,
    [from],
  );
  return rows.map((r) => r.site);
}

export interface SupplierDriftReported {
  sku: string;
  lastDeliveryAt: string;
}

export async function lastSupplierDriftReport(db: Db, site: string, supplier: string): Promise<SupplierDriftReported | null> {
  const { rows } = await db.query<{ sku: string; last_delivery_at: Date }>('SELECT sku, last_delivery_at FROM supplier_drift_reports WHERE site = $1 AND supplier = $2', [site, supplier]);
  return rows[0] ? { sku: rows[0].sku, lastDeliveryAt: rows[0].last_delivery_at.toISOString() } : null;
}

export async function recordSupplierDriftReport(db: Db, site: string, supplier: string, sku: string, lastDeliveryAt: string): Promise<void> {
  await db.query(
    `INSERT INTO supplier_drift_reports (site, supplier, sku, last_delivery_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (site, supplier) DO UPDATE SET sku = EXCLUDED.sku, last_delivery_at = EXCLUDED.last_delivery_at, reported_at = now()`,
    [site, supplier, sku, lastDeliveryAt],
  );
}

/** When the last supplier drift case of the supplier at the site was closed: its series starts afresh after it. */
export async function supplierDriftClosedAt(db: Db, site: string, reference: string): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT max(closed_at) AS at FROM discrepancies WHERE site = $1 AND kind = 'drift' AND status = 'closed' AND reference->>'id' = $2`,
    [site, reference],
  );
  return rows[0]?.at ?? null;
}
