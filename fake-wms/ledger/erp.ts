import type { Pool } from 'pg';
import type { ErpPort } from '../../src/adapters/ports';
import { stockSnapshot } from './snapshots';
import { getErpOnHand, listInboundDocuments, listOpenAllocations, listTransfersInTransit } from './erp-reads';

export function createReferenceErp(pool: Pool): ErpPort {
  return {
    getOnHand: (key) => getErpOnHand(pool, key),
    listOpenAllocations: (key) => listOpenAllocations(pool, key),
    listInboundDocuments: (key, reference) => listInboundDocuments(pool, key, reference),
    listTransfersInTransit: (key) => listTransfersInTransit(pool, key),
    stockSnapshot: (q) => stockSnapshot(pool, 'erp', q),
  };
}
