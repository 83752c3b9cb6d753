import type { DiscrepancyKind } from '../domain';

/** The faults the simulator injects, each with its ground truth. */
export const FAULT_KINDS = [
  'short_carton',
  'mis_slot',
  'unposted_return',
  'pilfering_user',
  'late_transfer',
  'duplicate_delivery',
  'mis_scan',
  'sync_lag',
  'expired_lot',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * What a case must look like to count as a detection of a fault: one of the kinds, at the
 * site, and — where given — the sku, the bin, the document reference, or (for a person) a
 * reference naming the user or a source event the user made.
 */
export interface Signature {
  kinds: DiscrepancyKind[];
  site: string;
  sku?: string;
  location?: string;
  reference?: { kind: string; id: string };
  user?: string;
}

export interface InjectedFault {
  id: string;
  kind: FaultKind;
  site: string;
  sku?: string;
  /** simulated time of the fault's first event, ms since epoch */
  at: number;
  /** when the fault becomes visible, if later (a transfer's ETA plus grace, a return's due time): MTTD counts from here */
  detectableAt?: number;
  signatures: Signature[];
  /**
   * The system of record is wrong because of this fault and needs an adjustment (a mis-slot,
   * a mis-scan, a duplicate receipt). Otherwise the books are right and the fault needs people
   * or a resync, never an adjustment (a short carton is a vendor claim, a late transfer a chase).
   */
  needsCorrection: boolean;
  /** the events that carry the fault */
  eventIds: string[];
  note: string;
}

/**
 * Which fault kinds a case kind can stand for. A case of one of these kinds that matches no
 * injected fault counts against the precision of each fault kind listed here.
 */
export const CLAIMS: Partial<Record<DiscrepancyKind, FaultKind[]>> = {
  receiving_variance: ['short_carton', 'duplicate_delivery'],
  phantom_stock: ['mis_slot', 'mis_scan'],
  count_variance: ['mis_slot', 'mis_scan', 'duplicate_delivery'],
  negative_inventory: ['mis_slot', 'mis_scan'],
  mis_scan: ['mis_scan'],
  return_unposted: ['unposted_return'],
  system_mismatch: ['sync_lag', 'unposted_return'],
  shrink_pattern: ['pilfering_user'],
  transfer_delay: ['late_transfer'],
  lot_expiry: ['expired_lot'],
};
