import { Router } from 'express';
import type { Pool } from 'pg';
import { PATHS, CreateCountTaskBody, PlaceHoldBody, PostAdjustmentBody, SinceQuery, SnapshotQuery, StockQuery } from '../../src/adapters/http/contract';
import type { WmsPort } from '../../src/adapters/ports';
import { answerWrite, assertSameCommand, idempotencyKeyOf } from './idempotency';
import { parseOr400 } from './problems';

const P = PATHS.wms;

/** The WMS side of the contract, answered by the reference ledger's WMS port. */
export function wmsRoutes(pool: Pool, wms: WmsPort): Router {
  const r = Router();

  r.get(P.stockSnapshot, async (req, res) => {
    res.json(await wms.stockSnapshot(parseOr400(SnapshotQuery, req.query, 'query')));
  });
  r.get(P.balances, async (req, res) => {
    res.json({ balance: await wms.getBalance(parseOr400(StockQuery, req.query, 'query')) });
  });
  r.get(P.transactions, async (req, res) => {
    const { since, ...key } = parseOr400(SinceQuery, req.query, 'query');
    res.json({ transactions: await wms.listTransactions(key, since) });
  });
  r.get(P.adjustments, async (req, res) => {
    const { since, ...key } = parseOr400(SinceQuery, req.query, 'query');
    res.json({ adjustments: await wms.listAdjustments(key, since) });
  });
  r.get(P.counts, async (req, res) => {
    const { since, ...key } = parseOr400(SinceQuery, req.query, 'query');
    res.json({ counts: await wms.listCountHistory(key, since) });
  });
  r.get(P.returnsPending, async (req, res) => {
    res.json({ returns: await wms.listReturnsPending(parseOr400(StockQuery, req.query, 'query')) });
  });

  r.post(P.adjustments, async (req, res) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const body = parseOr400(PostAdjustmentBody, req.body, 'body');
    const out = await wms.postAdjustment({ ...body, idempotencyKey });
    if (out.replayed) {
      await assertSameCommand(pool, 'ledger.adjustments', out.adjustmentId, { site: body.site, location: body.location, sku: body.sku, qty: body.qty, target: body.target });
    }
    answerWrite(res, 201, { adjustmentId: out.adjustmentId }, out.replayed);
  });

  r.post(P.holds, async (req, res) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const body = parseOr400(PlaceHoldBody, req.body, 'body');
    const out = await wms.placeHold({ ...body, idempotencyKey });
    if (out.replayed) await assertSameCommand(pool, 'ledger.holds', out.holdId, { site: body.site, location: body.location, sku: body.sku, qty: body.qty });
    answerWrite(res, 201, { holdId: out.holdId }, out.replayed);
  });

  r.post('/holds/:holdId/release', async (req, res) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const holdId = String(req.params.holdId);
    // the ledger answers a repeat with the same result; look first so the answer can say it is one
    const before = await pool.query<{ release_key: string | null }>('SELECT release_key FROM ledger.holds WHERE id = $1', [holdId]);
    const out = await wms.releaseHold({ holdId, idempotencyKey });
    answerWrite(res, 200, { holdId, released: out.released }, before.rows[0]?.release_key === idempotencyKey);
  });

  r.post(P.countTasks, async (req, res) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const body = parseOr400(CreateCountTaskBody, req.body, 'body');
    const out = await wms.createCountTask({ ...body, idempotencyKey });
    if (out.replayed) await assertSameCommand(pool, 'ledger.count_tasks', out.taskId, { site: body.site, location: body.location, sku: body.sku });
    answerWrite(res, 201, { taskId: out.taskId }, out.replayed);
  });

  return r;
}
