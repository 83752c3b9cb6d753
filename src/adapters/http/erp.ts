import type { ErpPort } from '../ports';
import { AllocationsResponse, InboundDocumentsResponse, OnHandResponse, PATHS, SnapshotResponse, TransfersResponse } from './contract';
import type { Remote } from './remote';
import { stockQuery } from './wms';

const P = PATHS.erp;

/** The ERP side of the contract (docs/adapters.md): reads only; corrections go through the WMS. */
export function createHttpErp(remote: Remote): ErpPort {
  const get = (path: string, query: Record<string, string | undefined>) => ({ method: 'GET' as const, path, query });
  return {
    stockSnapshot: async (q) => (await remote.call(get(P.stockSnapshot, { site: q.site, after: q.after, limit: String(q.limit) }), SnapshotResponse)).data,
    getOnHand: async (key) => (await remote.call(get(P.onHand, stockQuery(key)), OnHandResponse)).data.onHand,
    listOpenAllocations: async (key) => (await remote.call(get(P.allocations, stockQuery(key)), AllocationsResponse)).data.allocations,
    async listInboundDocuments(key, reference) {
      const query = { ...stockQuery(key), referenceKind: reference?.kind, referenceId: reference?.id };
      return (await remote.call(get(P.inboundDocuments, query), InboundDocumentsResponse)).data.documents;
    },
    listTransfersInTransit: async (key) => (await remote.call(get(P.transfersInTransit, stockQuery(key)), TransfersResponse)).data.transfers,
  };
}
