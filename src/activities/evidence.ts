import type { StockKey } from '../adapters/ports';
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
      return deps.erp.getOnHand(key);
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
      const { rows } = await deps.db.query(
        `SELECT id, status, resolution, source_event_ids FROM discrepancies
         WHERE dedupe_key = $1 AND id <> $2 AND source_event_ids && $3::text[]
         ORDER BY opened_at DESC LIMIT 10`,
        [q.dedupeKey, q.caseId, q.sourceEventIds],
      );
      return rows.map((r) => ({
        caseId: r.id,
        status: r.status,
        resolution: r.resolution ?? undefined,
        sharedEventIds: (r.source_event_ids as string[]).filter((id) => q.sourceEventIds.includes(id)),
      }));
    },
  };
}
