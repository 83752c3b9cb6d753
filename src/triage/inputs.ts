import type { PoolClient } from 'pg';
import type { CaseState } from '../domain';
import { VELOCITY_WINDOW_DAYS, type TriageInput } from '../domain/triage';
import { loadAvailability } from './availability';

type Db = Pick<PoolClient, 'query'>;

/** Transaction types that take stock out towards customers or other sites. */
export const OUTBOUND_TYPES = ['pick', 'shipment', 'sale', 'transfer_shipped'];

export interface TriageInputs extends TriageInput {
  /** where velocity and demand came from: the ledger Reckon keeps, the case's evidence, or nothing */
  sources: { velocity: 'ledger' | 'events' | 'evidence' | 'none'; demand: 'ledger' | 'evidence' | 'none' };
}

/**
 * The triage inputs of a case. SKU velocity and open orders are site-wide for the SKU, read
 * from the reference ledger (kept for every site from its events; both reads use an index on
 * site and sku). A site whose stock lives only in a remote WMS/ERP has nothing there, so the
 * case's own evidence (fetched through the ports for its bin) stands in.
 */
export async function loadTriageInputs(db: Db, s: CaseState, evidenceLookbackDays: number, source: 'ledger' | 'events' = 'ledger'): Promise<TriageInputs> {
  const { site, sku } = s.report;
  const valueAtRisk = s.assessment?.valueAtRisk ?? Math.abs(s.observedQty - s.expectedQty) * s.report.unitCost;
  // with a remote WMS/ERP, velocity comes from the movements Reckon learned from events
  const movements = source === 'events' ? 'model.movements' : 'ledger.transactions';
  const [moved, demand] = await Promise.all([
    db.query<{ n: string; units: string | null }>(
      `SELECT count(*) AS n, sum(-qty) FILTER (WHERE qty < 0) AS units FROM ${movements}
       WHERE site = $1 AND sku = $2 AND occurred_at >= now() - make_interval(days => $3) AND type = ANY($4::text[])`,
      [site, sku, VELOCITY_WINDOW_DAYS, OUTBOUND_TYPES],
    ),
    // open orders live in the ERP: with a remote one, the case's own evidence (through the port) stands in
    source === 'events'
      ? { rows: [{ n: '0', orders: '0', reserved: null }] }
      : db.query<{ n: string; orders: string; reserved: string | null }>(
          `SELECT count(*) AS n, count(DISTINCT order_id) AS orders, sum(GREATEST(qty - picked_qty, 0)) AS reserved
           FROM ledger.allocations WHERE NOT issued_in_erp AND site = $1 AND sku = $2`,
          [site, sku],
        ),
  ]);

  let velocityPerDay = 0;
  let velocitySource: TriageInputs['sources']['velocity'] = 'none';
  if (Number(moved.rows[0].n) > 0) {
    velocityPerDay = Number(moved.rows[0].units ?? 0) / VELOCITY_WINDOW_DAYS;
    velocitySource = source === 'events' ? 'events' : 'ledger';
  } else if (s.evidence?.recentTransactions?.length) {
    const units = s.evidence.recentTransactions.filter((t) => OUTBOUND_TYPES.includes(t.type)).reduce((sum, t) => sum + Math.abs(t.qty), 0);
    velocityPerDay = units / evidenceLookbackDays;
    velocitySource = 'evidence';
  }

  let openOrders = 0;
  let reservedQty = 0;
  let demandSource: TriageInputs['sources']['demand'] = 'none';
  if (Number(demand.rows[0].n) > 0) {
    openOrders = Number(demand.rows[0].orders);
    reservedQty = Number(demand.rows[0].reserved ?? 0);
    demandSource = 'ledger';
  } else if (s.evidence?.openAllocations?.length) {
    const open = s.evidence.openAllocations.filter((a) => !a.issuedInErp);
    openOrders = new Set(open.map((a) => a.orderId)).size;
    reservedQty = open.reduce((sum, a) => sum + Math.max(0, a.qty - a.pickedQty), 0);
    demandSource = 'evidence';
  }

  const availability = await loadAvailability(db, s, velocityPerDay, reservedQty);
  return { valueAtRisk, velocityPerDay, openOrders, reservedQty, ...(availability ? { availability } : {}), sources: { velocity: velocitySource, demand: demandSource } };
}
