import type { StockKey } from '../adapters/ports';
import { casesSharingSourceEvents } from '../store/discrepancy-queries';
import { upsertItemMaster } from '../store/model-repo';
import type { Evidence, PriorCaseEvidence } from '../domain';
import type { ActivityDeps } from './deps';

export interface InboundQuery {
  key: StockKey;
  reference?: { kind: string; id: string };
}
export interface PriorCaseQuery {
  caseId: string;
  dedupeKey: string;
  sourceEventIds: string[];
}

/** One activity per evidence source, so each gets its own timeout and retry policy. */
export function createEvidenceActivities(deps: ActivityDeps) {
  const since = () => new Date(Date.now() - deps.evidenceLookbackDays * 86_400_000).toISOString();
  return {
    async fetchWmsBalance(key: StockKey): Promise<Evidence['wmsBalance']> {
      return deps.wms.getBalance(key);
    },
    async fetchErpOnHand(key: StockKey): Promise<Evidence['erpOnHand']> {
      const [onHand] = await Promise.all([deps.erp.getOnHand(key), refreshItemMaster(deps, key.sku)]);
      return onHand;
    },
    async fetchOpenAllocations(key: StockKey): Promise<NonNullable<Evidence['openAllocations']>> {
      return deps.erp.listOpenAllocations(key);
    },
    async fetchInboundDocuments(q: InboundQuery): Promise<NonNullable<Evidence['inbound']>> {
      return deps.erp.listInboundDocuments(q.key, q.reference);
    },
    async fetchTransfersInTransit(key: StockKey): Promise<NonNullable<Evidence['transfersInTransit']>> {
      return deps.erp.listTransfersInTransit(key);
    },
    async fetchReturnsPending(key: StockKey): Promise<NonNullable<Evidence['returnsPending']>> {
      return deps.wms.listReturnsPending(key);
    },
    async fetchRecentTransactions(key: StockKey): Promise<NonNullable<Evidence['recentTransactions']>> {
      return deps.wms.listTransactions(key, since());
    },
    async fetchRecentAdjustments(key: StockKey): Promise<NonNullable<Evidence['recentAdjustments']>> {
      return deps.wms.listAdjustments(key, since());
    },
    async fetchCountHistory(key: StockKey): Promise<NonNullable<Evidence['countHistory']>> {
      return deps.wms.listCountHistory(key, since());
    },
    /** Earlier cases with the same key that handled the same source events: a redelivered report. */
    async findPriorCases(q: PriorCaseQuery): Promise<PriorCaseEvidence[]> {
      if (q.sourceEventIds.length === 0) return [];
      const rows = await casesSharingSourceEvents(deps.db, q);
      return rows.map((r) => ({
        caseId: r.id,
        status: r.status,
        resolution: r.resolution ?? undefined,
        sharedEventIds: r.source_event_ids.filter((id) => q.sourceEventIds.includes(id)),
      }));
    },
  };
}

/**
 * The item master as the WMS/ERP hold it now (its replenishment levels weigh the case's stock at
 * risk), kept in Reckon's model. Missing master data is no reason to fail the evidence.
 */
async function refreshItemMaster(deps: ActivityDeps, sku: string): Promise<void> {
  if (!deps.masterData) return;
  try {
    const item = await deps.masterData.getItem(sku);
    if (item) await upsertItemMaster(deps.db, item, false);
  } catch (err) {
    deps.logger.warn({ err: err instanceof Error ? err.message : String(err), sku }, 'item master not read; stock at risk uses what Reckon knew');
  }
}
