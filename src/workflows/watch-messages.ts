import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DiscrepancyReport, SkuClass } from '../domain';

/**
 * Signals and ids of the watchers ("the expected event never came", docs/architecture.md), shared with the
 * event intake that starts them with signalWithStart. Every signal carries the event's key, so
 * a watcher absorbs the same event signalled twice.
 */

const safe = (s: string) => s.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 80);

/** What a watcher needs about the stock to open a case without reading master data again. */
export interface WatchedStock {
  site: string;
  location?: string;
  sku: string;
  qty: number;
  unitCost: number;
  skuClass: SkuClass;
  source: string;
  eventId: string;
}

/** How a watcher ended, for the Temporal UI and tests. */
export interface WatchResult {
  outcome: 'in_time' | 'late_case_opened' | 'late_then_arrived' | 'partner_never_came' | 'closed_by_receipt' | 'compared' | 'settled' | 'reported';
  caseIds: string[];
}
export const watchStateQuery = defineQuery<Record<string, unknown>>('watchState');

// transferWatch: transfer_shipped → transfer_received by ETA + grace
export const TRANSFER_WATCH_TYPE = 'transferWatch';
/**
 * One watch per document line: a multi-line transfer is late line by line, and the receipt of
 * line 1 does not satisfy line 2. Events without a line watch the document as a whole.
 */
export const transferWatchId = (transferId: string, line?: string) => `transfer-watch-${safe(transferId)}${line ? `-L${safe(line)}` : ''}`;
export interface TransferShipped extends WatchedStock {
  eventKey: string;
  transferId: string;
  toSite?: string;
  toLocation?: string;
  shippedAt: string;
  eta: string;
}
export interface TransferReceived {
  eventKey: string;
  site: string;
  location?: string;
  qty: number;
  receivedAt: string;
}
export const transferShippedSignal = defineSignal<[TransferShipped]>('transferShipped');
export const transferReceivedSignal = defineSignal<[TransferReceived]>('transferReceived');

// returnWatch: return_received → return_disposition within the policy's window (or its due date)
export const RETURN_WATCH_TYPE = 'returnWatch';
export const returnWatchId = (site: string, returnId: string, line?: string) => `return-watch-${safe(site)}-${safe(returnId)}${line ? `-L${safe(line)}` : ''}`;
export interface ReturnReceived extends WatchedStock {
  eventKey: string;
  returnId: string;
  receivedAt: string;
  dispositionDueBy?: string;
}
export interface ReturnDisposition {
  eventKey: string;
  disposition?: string;
  at: string;
}
export const returnReceivedSignal = defineSignal<[ReturnReceived]>('returnReceived');
export const returnDispositionSignal = defineSignal<[ReturnDisposition]>('returnDisposition');

// receivingMatch: ASN/PO → receipts, compared at the due time unless a receipt closes it first
export const RECEIVING_MATCH_TYPE = 'receivingMatch';
export const receivingMatchId = (site: string, kind: 'asn' | 'po', docId: string) => `receiving-match-${safe(site)}-${kind}-${safe(docId)}`;
export interface DocumentAnnounced {
  eventKey: string;
  site: string;
  kind: 'asn' | 'po';
  docId: string;
  source: string;
  announcedAt: string;
  expectedAt?: string;
}
export interface DocumentClosed {
  eventKey: string;
  at: string;
}
export const documentAnnouncedSignal = defineSignal<[DocumentAnnounced]>('documentAnnounced');
export const documentClosedSignal = defineSignal<[DocumentClosed]>('documentClosed');

// mismatchSettle: a WMS/ERP mismatch is a case only if it lasts the settling window
export const MISMATCH_SETTLE_TYPE = 'mismatchSettle';
export interface MismatchSeen {
  eventKey: string;
  report: DiscrepancyReport;
  receivedAt: string;
  /** where the re-check reads balances: the reference ledger or the event-derived features */
  stockSource: 'ledger' | 'events';
}
export const mismatchSeenSignal = defineSignal<[MismatchSeen]>('mismatchSeen');

/** Watchers end this long after their deadline if the partner event never shows. */
export const WATCH_HORIZON = '30d';
