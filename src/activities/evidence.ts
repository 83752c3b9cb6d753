import type { StockKey } from '../adapters/ports';
import { casesSharingSourceEvents } from '../store/discrepancy-queries';
import { upsertItemMaster } from '../store/model-repo';
import type { Evidence, EvidenceSource, PriorCaseEvidence } from '../domain';
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
/** What every evidence source of one case is asked: its stock, its document, its source events. */
export interface EvidenceReadsQuery {
  key: StockKey;
  reference?: { kind: string; id: string };
  prior: PriorCaseQuery;
}
/** Each source's answer, and the sources that failed (asked again one by one, with their retries). */
export interface EvidenceReads {
  found: Partial<Evidence>;
  failed: EvidenceSource[];
}

/**
 * One activity per evidence source, so each gets its own timeout and retry policy; and
 * `readEvidence`, every source at once in one call (the case's first try; what fails there is
 * asked again through its own activity).
 */
export function createEvidenceActivities(deps: ActivityDeps) {
  const since = () => new Date(Date.now() - deps.evidenceLookbackDays * 86_400_000).toISOString();
  const one = {
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
  return {
    ...one,
    async readEvidence(q: EvidenceReadsQuery): Promise<EvidenceReads> {
      const reads: { [S in EvidenceSource]: () => Promise<Evidence[S]> } = {
        wmsBalance: () => one.fetchWmsBalance(q.key),
        erpOnHand: () => one.fetchErpOnHand(q.key),
        openAllocations: () => one.fetchOpenAllocations(q.key),
        inbound: () => one.fetchInboundDocuments({ key: q.key, reference: q.reference }),
        transfersInTransit: () => one.fetchTransfersInTransit(q.key),
        returnsPending: () => one.fetchReturnsPending(q.key),
        recentTransactions: () => one.fetchRecentTransactions(q.key),
        recentAdjustments: () => one.fetchRecentAdjustments(q.key),
        countHistory: () => one.fetchCountHistory(q.key),
        priorCases: () => one.findPriorCases(q.prior),
      };
      const names = Object.keys(reads) as EvidenceSource[];
      const settled = await Promise.allSettled(names.map((n) => reads[n]()));
      const out: EvidenceReads = { found: {}, failed: [] };
      settled.forEach((r, i) => {
        if (r.status === 'fulfilled') (out.found as Record<string, unknown>)[names[i]] = r.value;
        else out.failed.push(names[i]);
      });
      return out;
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
