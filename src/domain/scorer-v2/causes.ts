import type { AutoRuleName } from '../policy';
import type { RootCause } from '../scorer';

/**
 * The fixed set of root causes scorer v2 gives probabilities over. Each is something a person
 * can check and act on; together they cover why a system and the shelf disagree.
 */
export const ROOT_CAUSES = [
  'unposted_document',
  'open_allocation',
  'in_transit',
  'sync_lag',
  'mis_scan',
  'shrink',
  'count_error',
  'duplicate_report',
  'genuine_loss',
] as const;
export type RootCauseV2 = (typeof ROOT_CAUSES)[number];

export const CAUSE_WORDS: Record<RootCauseV2, string> = {
  unposted_document: 'a document (receipt, return, transaction) not yet posted',
  open_allocation: 'stock picked for an open order, not yet issued',
  in_transit: 'stock in transit on a transfer',
  sync_lag: 'the WMS and ERP not yet in sync',
  mis_scan: 'a mis-scan or mis-slot (stock in another bin)',
  shrink: 'shrink or theft',
  count_error: 'a counting error (the system is right)',
  duplicate_report: 'a duplicate report of a case already handled',
  genuine_loss: 'a genuine loss or gain (damage, vendor short, unrecorded use)',
};

/** Causes whose case is not a real divergence of stock: the system of record needs no change. */
export const NOT_REAL: readonly RootCauseV2[] = ['count_error', 'duplicate_report'];

/** The v1 explanation a cause of v2 stands for (the documents v1 finds). */
export const V1_CAUSE_TO_V2: Partial<Record<RootCause, RootCauseV2>> = {
  unposted_receipt: 'unposted_document',
  return_without_disposition: 'unposted_document',
  pending_transactions: 'unposted_document',
  open_allocation: 'open_allocation',
  transfer_in_transit: 'in_transit',
  duplicate_event: 'duplicate_report',
};

/** What an automatic rule that closed a case says its cause was. */
export const RULE_TO_CAUSE: Partial<Record<AutoRuleName, RootCauseV2>> = {
  explained_by_open_allocation: 'open_allocation',
  explained_by_unposted_receipt: 'unposted_document',
  explained_by_transfer_in_transit: 'in_transit',
  explained_by_return_without_disposition: 'unposted_document',
  explained_by_pending_transactions: 'unposted_document',
  duplicate_event: 'duplicate_report',
};

/**
 * Reason codes approvers use, mapped to the cause they confirm. Codes that name no cause
 * (CYCLE_COUNT, APPROVED, …) confirm the case was real, not why.
 */
const REASON_CODES: Record<string, RootCauseV2> = {
  DAMAGED: 'genuine_loss',
  DAMAGE: 'genuine_loss',
  BREAKAGE: 'genuine_loss',
  EXPIRED: 'genuine_loss',
  SCRAP: 'genuine_loss',
  VENDOR_SHORT: 'genuine_loss',
  SHORT_SHIPPED: 'genuine_loss',
  LOSS: 'genuine_loss',
  THEFT: 'shrink',
  SHRINK: 'shrink',
  PILFERAGE: 'shrink',
  MISCOUNT: 'count_error',
  COUNT_ERROR: 'count_error',
  MIS_SLOT: 'mis_scan',
  MISSLOT: 'mis_scan',
  MIS_SCAN: 'mis_scan',
  MISSCAN: 'mis_scan',
  MISPICK: 'mis_scan',
  WRONG_LOCATION: 'mis_scan',
  UNPOSTED: 'unposted_document',
  TIMING: 'unposted_document',
  LATE_POSTING: 'unposted_document',
  OPEN_ALLOCATION: 'open_allocation',
  IN_TRANSIT: 'in_transit',
  SYNC: 'sync_lag',
  SYNC_LAG: 'sync_lag',
  INTERFACE: 'sync_lag',
  DUPLICATE: 'duplicate_report',
};

export function causeOfReasonCode(code: string | undefined): RootCauseV2 | undefined {
  if (!code) return undefined;
  return REASON_CODES[code.toUpperCase().replace(/[-.]/g, '_')];
}
