import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { InventoryEvent, SkuClass } from '../domain';
import {
  documentAnnouncedSignal,
  documentClosedSignal,
  RECEIVING_MATCH_TYPE,
  receivingMatchId,
  RETURN_WATCH_TYPE,
  returnDispositionSignal,
  returnReceivedSignal,
  returnWatchId,
  TRANSFER_WATCH_TYPE,
  transferReceivedSignal,
  transferShippedSignal,
  transferWatchId,
} from '../workflows/watch-messages';
import { attributesOf, documentIdOf, eventKey } from './event-attributes';

export interface WatchSignal {
  workflowType: string;
  workflowId: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one of the watchers' signal definitions
  signal: any;
  payload: unknown;
  summary: string;
}

const inboundKind = (k: string | undefined) => (k === 'asn' ? 'asn' : k === 'po' || k === 'purchase_order' ? 'po' : undefined);

/**
 * The watcher signals an event sends (pure): shipments, returns and inbound documents start
 * a watch; their completing events signal it. Ids derive from the document, so the shipment
 * and its receipt meet in one workflow whichever arrives first.
 */
export function watchSignalsFor(e: InventoryEvent, item: { unitCost: number; skuClass: SkuClass }): WatchSignal[] {
  const a = attributesOf(e);
  const key = eventKey(e);
  const stock = () => ({ site: e.site, location: e.location, sku: e.sku!, qty: Math.abs(e.qty ?? 0), ...item, source: e.source, eventId: e.eventId });
  switch (e.type) {
    case 'transfer_shipped': {
      if (!e.sku || !e.qty) return [];
      const transferId = documentIdOf(e);
      return [{
        workflowType: TRANSFER_WATCH_TYPE,
        workflowId: transferWatchId(transferId, e.reference?.line),
        signal: transferShippedSignal,
        payload: { ...stock(), eventKey: key, transferId, toSite: a.toSite, toLocation: a.toLocation, shippedAt: e.occurredAt, eta: a.eta ?? e.occurredAt },
        summary: `transfer ${transferId}: ${e.sku} × ${Math.abs(e.qty)} from ${e.site}${a.toSite ? ` to ${a.toSite}` : ''}, due ${a.eta ?? e.occurredAt}`,
      }];
    }
    case 'transfer_received': {
      const transferId = documentIdOf(e);
      return [{
        workflowType: TRANSFER_WATCH_TYPE,
        workflowId: transferWatchId(transferId, e.reference?.line),
        signal: transferReceivedSignal,
        payload: { eventKey: key, site: e.site, location: e.location, qty: Math.abs(e.qty ?? 0), receivedAt: e.occurredAt },
        summary: `transfer ${transferId}`,
      }];
    }
    case 'return_received': {
      if (!e.sku || !e.qty) return [];
      const returnId = documentIdOf(e);
      return [{
        workflowType: RETURN_WATCH_TYPE,
        workflowId: returnWatchId(e.site, returnId, e.reference?.line),
        signal: returnReceivedSignal,
        payload: { ...stock(), eventKey: key, returnId, receivedAt: e.occurredAt, dispositionDueBy: a.dispositionDueBy },
        summary: `return ${returnId} at ${e.site}: ${e.sku} × ${Math.abs(e.qty)} awaiting disposition`,
      }];
    }
    case 'return_disposition':
      return [{
        workflowType: RETURN_WATCH_TYPE,
        workflowId: returnWatchId(e.site, documentIdOf(e), e.reference?.line),
        signal: returnDispositionSignal,
        payload: { eventKey: key, disposition: a.disposition, at: e.occurredAt },
        summary: `return ${documentIdOf(e)} at ${e.site}`,
      }];
    case 'asn':
    case 'purchase_order': {
      const kind = e.type === 'asn' ? 'asn' : 'po';
      const docId = documentIdOf(e);
      return [{
        workflowType: RECEIVING_MATCH_TYPE,
        workflowId: receivingMatchId(e.site, kind, docId),
        signal: documentAnnouncedSignal,
        payload: { eventKey: key, site: e.site, kind, docId, source: e.source, announcedAt: e.occurredAt, expectedAt: a.expectedAt },
        summary: `${kind.toUpperCase()} ${docId} at ${e.site}: receipts compared when due`,
      }];
    }
    case 'receipt': {
      const kind = inboundKind(e.reference?.kind);
      if (!kind || !e.reference || !a.closesDocument) return [];
      return [{
        workflowType: RECEIVING_MATCH_TYPE,
        workflowId: receivingMatchId(e.site, kind, e.reference.id),
        signal: documentClosedSignal,
        payload: { eventKey: key, at: e.occurredAt },
        summary: `${kind.toUpperCase()} ${e.reference.id} at ${e.site}`,
      }];
    }
    default:
      return [];
  }
}

/**
 * Sends each signal with signalWithStart: the first event of a document line starts its watcher.
 * A watch that has finished is not started again (a late event on a finished line would open a
 * fresh 30-day watch): such events are returned, for the caller to log.
 */
export async function sendWatchSignals(temporal: Client, taskQueue: string, signals: WatchSignal[]): Promise<WatchSignal[]> {
  const refused: WatchSignal[] = [];
  for (const s of signals) {
    try {
      await temporal.workflow.signalWithStart(s.workflowType, {
        workflowId: s.workflowId,
        taskQueue,
        args: [],
        signal: s.signal,
        signalArgs: [s.payload],
        staticSummary: s.summary,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      refused.push(s);
    }
  }
  return refused;
}
