import type { PoolClient } from 'pg';
import type { CaseState } from '../domain';
import { VELOCITY_WINDOW_DAYS, type TriageInput } from '../domain/triage';
import { outboundMovements } from '../store/model-repo';
import { loadAvailability } from './availability';

type Db = Pick<PoolClient, 'query'>;

/** Transaction types that take stock out towards customers or other sites. */
export const OUTBOUND_TYPES = ['pick', 'shipment', 'sale', 'transfer_shipped'];

export interface TriageInputs extends TriageInput {
  /** where velocity and demand came from: the movements Reckon learned from events, the case's evidence, or nothing */
  sources: { velocity: 'events' | 'evidence' | 'none'; demand: 'evidence' | 'none' };
}

/**
 * The triage inputs of a case. SKU velocity is site-wide for the SKU, from the movements Reckon
 * learned from events (model.movements, indexed by site and sku); without any, the case's own
 * evidence (fetched through the ports for its bin) stands in. Open orders live in the ERP: the
 * case's evidence (its open allocations, through the port) gives them.
 */
export async function loadTriageInputs(db: Db, s: CaseState, evidenceLookbackDays: number): Promise<TriageInputs> {
  const { site, sku } = s.report;
  const valueAtRisk = s.assessment?.valueAtRisk ?? Math.abs(s.observedQty - s.expectedQty) * s.report.unitCost;
  const moved = await outboundMovements(db, site, sku, VELOCITY_WINDOW_DAYS, OUTBOUND_TYPES);

  let velocityPerDay = 0;
  let velocitySource: TriageInputs['sources']['velocity'] = 'none';
  if (Number(moved.n) > 0) {
    velocityPerDay = Number(moved.units ?? 0) / VELOCITY_WINDOW_DAYS;
    velocitySource = 'events';
  } else if (s.evidence?.recentTransactions?.length) {
    const units = s.evidence.recentTransactions.filter((t) => OUTBOUND_TYPES.includes(t.type)).reduce((sum, t) => sum + Math.abs(t.qty), 0);
    velocityPerDay = units / evidenceLookbackDays;
    velocitySource = 'evidence';
  }

  let openOrders = 0;
  let reservedQty = 0;
  let demandSource: TriageInputs['sources']['demand'] = 'none';
  if (s.evidence?.openAllocations?.length) {
    const open = s.evidence.openAllocations.filter((a) => !a.issuedInErp);
    openOrders = new Set(open.map((a) => a.orderId)).size;
    reservedQty = open.reduce((sum, a) => sum + Math.max(0, a.qty - a.pickedQty), 0);
    demandSource = 'evidence';
  }

  const availability = await loadAvailability(db, s, velocityPerDay, reservedQty);
  return { valueAtRisk, velocityPerDay, openOrders, reservedQty, ...(availability ? { availability } : {}), sources: { velocity: velocitySource, demand: demandSource } };
}
