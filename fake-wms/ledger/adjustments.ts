import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { withTransaction } from '../../src/store/db';
import type { PostAdjustmentCommand, PostAdjustmentResult } from '../../src/adapters/ports';
import { requireKey, requireQty } from './errors';
import { balanceLocation } from './rows';

/**
 * Posts an adjustment, moves the balance and records the ledger transaction in one
 * transaction. The adjustment row's unique idempotency key is what makes a retry (or twenty
 * concurrent retries) land once: the losers' INSERT waits for the winner and then does nothing.
 */
export async function postAdjustment(
  pool: Pool,
  cmd: PostAdjustmentCommand,
  onCommitted?: (adjustmentId: string) => void,
): Promise<PostAdjustmentResult> {
  requireKey(cmd.idempotencyKey);
  requireQty(cmd.qty, 'nonzero');
  const result = await withTransaction(pool, async (c): Promise<PostAdjustmentResult> => {
    const inserted = await c.query<{ id: string }>({
      name: 'ledger-adjustment-post',
      text: `INSERT INTO ledger.adjustments (id, site, location, sku, qty, target, reason_code, case_id, actor, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id`,
      values: [`ADJ-${randomUUID()}`, cmd.site, cmd.location ?? null, cmd.sku, cmd.qty, cmd.target, cmd.reasonCode, cmd.caseId, cmd.actor, cmd.idempotencyKey],
    });
    if (inserted.rowCount === 0) {
      const prior = await c.query<{ id: string }>('SELECT id FROM ledger.adjustments WHERE idempotency_key = $1', [cmd.idempotencyKey]);
      return { adjustmentId: prior.rows[0].id, replayed: true };
    }
    const adjustmentId = inserted.rows[0].id;
    // target erp resyncs the ERP to the WMS: the physical (WMS) view does not move
    const wmsDelta = cmd.target === 'both' ? cmd.qty : 0;
    await c.query({
      name: 'ledger-adjustment-balance',
      text: `INSERT INTO ledger.balances (site, location, sku, wms_qty, erp_qty)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (site, location, sku) DO UPDATE SET
         wms_qty = ledger.balances.wms_qty + EXCLUDED.wms_qty,
         erp_qty = ledger.balances.erp_qty + EXCLUDED.erp_qty,
         updated_at = now()`,
      values: [cmd.site, balanceLocation(cmd), cmd.sku, wmsDelta, cmd.qty],
    });
    // the transaction shares the adjustment's id so evidence from either table names the same write
    await c.query({
      name: 'ledger-adjustment-transaction',
      text: `INSERT INTO ledger.transactions
         (id, site, location, sku, type, qty, user_id, occurred_at, reason_code, reference_kind, reference_id, posted_to_erp)
       VALUES ($1, $2, $3, $4, 'adjustment', $5, $6, now(), $7, 'case', $8, true)`,
      values: [adjustmentId, cmd.site, cmd.location ?? null, cmd.sku, cmd.qty, cmd.actor, cmd.reasonCode, cmd.caseId],
    });
    return { adjustmentId, replayed: false };
  });
  if (!result.replayed) onCommitted?.(result.adjustmentId);
  return result;
}
