import type { Pool, PoolClient } from 'pg';
import type { PostAdjustmentCommand } from '../adapters/ports';
import { withTransaction } from './db';
import { lockForTransaction } from './inventory-events';

type Db = Pick<PoolClient, 'query'>;

/** The lock the intake takes per site and sku: a correction and its echo never interleave. */
export const stockLockKey = (site: string, sku: string) => `reckon-stock:${site}|${sku}`;

/**
 * A correction Reckon posted through the WMS/ERP port, applied to its own running balances once
 * (keyed by the idempotency key): the next event at the bin is compared with the corrected books.
 * `both` moves the WMS and ERP views; `erp` resyncs the ERP view only. When the WMS's echo of
 * it (an adjustment event naming it) was stored first, that event moved the balances already.
 */
export async function applyCorrectionToModel(pool: Pool, cmd: PostAdjustmentCommand, adjustmentId?: string): Promise<boolean> {
  return withTransaction(pool, (c) => applyCorrectionIn(c, cmd, adjustmentId));
}

/** applyCorrectionToModel inside the caller's transaction (an automatic correction recorded with its close). */
export async function applyCorrectionIn(c: PoolClient, cmd: PostAdjustmentCommand, adjustmentId?: string): Promise<boolean> {
  await lockForTransaction(c, stockLockKey(cmd.site, cmd.sku));
  const first = await c.query(
    `INSERT INTO model.corrections (idempotency_key, site, location, sku, qty, target, case_id, adjustment_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING`,
    [cmd.idempotencyKey, cmd.site, cmd.location ?? '', cmd.sku, cmd.qty, cmd.target, cmd.caseId, adjustmentId ?? null],
  );
  if ((first.rowCount ?? 0) === 0) {
    // a retry after the WMS answered: learn the adjustment id if the first attempt did not
    if (adjustmentId) await c.query('UPDATE model.corrections SET adjustment_id = $2 WHERE idempotency_key = $1 AND adjustment_id IS NULL', [cmd.idempotencyKey, adjustmentId]);
    return false;
  }
  const echo = await storedEchoOf(c, cmd, adjustmentId);
  if (echo) {
    await c.query('UPDATE model.corrections SET echo_event = $2 WHERE idempotency_key = $1', [cmd.idempotencyKey, echo]);
    return false;
  }
  await c.query(
    `UPDATE features.stock SET wms_qty = wms_qty + $4, erp_qty = erp_qty + $5, updated_at = now() WHERE site = $1 AND location = $2 AND sku = $3`,
    [cmd.site, cmd.location ?? '', cmd.sku, cmd.target === 'both' ? cmd.qty : 0, cmd.qty],
  );
  return true;
}

/** An adjustment event already stored that names this correction (it arrived before the correction was applied). */
async function storedEchoOf(db: Db, cmd: PostAdjustmentCommand, adjustmentId: string | undefined): Promise<string | undefined> {
  const { rows } = await db.query<{ source: string; event_id: string }>(
    `SELECT source, event_id FROM inventory_events
     WHERE site = $1 AND sku = $2 AND type = 'adjustment' AND COALESCE(body->>'location', '') = $3
       AND (event_id = $4 OR body->'attributes'->>'adjustmentId' = $4 OR body->'attributes'->>'idempotencyKey' = $5)
     ORDER BY received_at LIMIT 1`,
    [cmd.site, cmd.sku, cmd.location ?? '', adjustmentId ?? null, cmd.idempotencyKey],
  );
  return rows[0] ? `${rows[0].source}:${rows[0].event_id}` : undefined;
}
