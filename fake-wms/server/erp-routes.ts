import { Router } from 'express';
import { InboundQuery, PATHS, SnapshotQuery, StockQuery } from '../../src/adapters/http/contract';
import type { ErpPort } from '../../src/adapters/ports';
import { parseOr400 } from './problems';

const P = PATHS.erp;

/** The ERP side of the contract, answered by the reference ledger's ERP view. */
export function erpRoutes(erp: ErpPort): Router {
  const r = Router();
  r.get(P.stockSnapshot, async (req, res) => {
    res.json(await erp.stockSnapshot(parseOr400(SnapshotQuery, req.query, 'query')));
  });
  r.get(P.onHand, async (req, res) => {
    res.json({ onHand: await erp.getOnHand(parseOr400(StockQuery, req.query, 'query')) });
  });
  r.get(P.allocations, async (req, res) => {
    res.json({ allocations: await erp.listOpenAllocations(parseOr400(StockQuery, req.query, 'query')) });
  });
  r.get(P.inboundDocuments, async (req, res) => {
    const { referenceKind, referenceId, ...key } = parseOr400(InboundQuery, req.query, 'query');
    const reference = referenceKind && referenceId ? { kind: referenceKind, id: referenceId } : undefined;
    res.json({ documents: await erp.listInboundDocuments(key, reference) });
  });
  r.get(P.transfersInTransit, async (req, res) => {
    res.json({ transfers: await erp.listTransfersInTransit(parseOr400(StockQuery, req.query, 'query')) });
  });
  return r;
}
