import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { PostAdjustmentCommand, PostAdjustmentResult } from '../../src/adapters/ports';
import { requireKey, requireQty } from './errors';
import { balanceLocation } from './rows';

/**
 * Posts an adjustment, moves the balance and records the ledger transaction in one statement
 * (so one transaction). The adjustment row's unique idempotency key is what makes a retry (or
 * twenty concurrent retries) land once: the losers' INSERT waits for the winner and then does
 * nothing, and they read the winner's id afterwards.
 */
export async function postAdjustment(
  pool: Pool,
  cmd: PostAdjustmentCommand,
  onCommitted?: (adjustmentId: string) => void,
): Promise<PostAdjustmentResult> {
  requireKey(cmd.idempotencyKey);
  requireQty(cmd.qty, 'nonzero');
  // target erp resyncs the ERP to the WMS: the physical (WMS) view does not move
  const wmsDelta = cmd.target === 'both' ? cmd.qty : 0;
  const { rows } = await pool.query<{ id: string }>({
    name: 'ledger-adjustment-post',
    text: `WITH posted AS (
       INSERT INTO ledger.adjustments (id, site, location, sku, qty, target, reason_code, case_id, actor, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id
     ), balance AS (
       INSERT INTO ledger.balances (site, location, sku, wms_qty, erp_qty)
       SELECT $2, $11, $4, $12, $5 FROM posted
       ON CONFLICT (site, location, sku) DO UPDATE SET
         wms_qty = ledger.balances.wms_qty + EXCLUDED.wms_qty,
         erp_qty = ledger.balances.erp_qty + EXCLUDED.erp_qty,
         updated_at = now()
     ), recorded AS (
       -- the transaction shares the adjustment's id so evidence from either table names the same write
       INSERT INTO ledger.transactions
         (id, site, location, sku, type, qty, user_id, occurred_at, reason_code, reference_kind, reference_id, posted_to_erp)
       SELECT id, $2, $3, $4, 'adjustment', $5, $9, now(), $7, 'case', $8, true FROM posted
     )
     SELECT id FROM posted`,
    values: [
      `ADJ-${randomUUID()}`, cmd.site, cmd.location ?? null, cmd.sku, cmd.qty, cmd.target, cmd.reasonCode, cmd.caseId, cmd.actor,
      cmd.idempotencyKey, balanceLocation(cmd), wmsDelta,
    ],
  });
  if (rows.length === 0) {
    // posted before with this key: its id, read after the statement (whose snapshot may predate it)
    const prior = await pool.query<{ id: string }>({ name: 'ledger-adjustment-prior', text: 'SELECT id FROM ledger.adjustments WHERE idempotency_key = $1', values: [cmd.idempotencyKey] });
    return { adjustmentId: prior.rows[0].id, replayed: true };
  }
  onCommitted?.(rows[0].id);
  return { adjustmentId: rows[0].id, replayed: false };
}
