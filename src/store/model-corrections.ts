import type { Pool, PoolClient } from 'pg';
import type { PostAdjustmentCommand } from '../adapters/ports';
import { lockForTransaction, withTransaction } from './db';

/** The lock the intake takes per site and sku: a correction and its echo never interleave. */
export const stockLockKey = (site: string, sku: string) => `reckon-stock:${site}|${sku}`;

/**
 * A correction Reckon posted through the WMS/ERP port, applied to its own running balances once
 * (keyed by the idempotency key): the next event at the bin is compared with the corrected books.
 * `both` moves the WMS and ERP views; `erp` resyncs the ERP view only. When the WMS's echo of
 * it (an adjustment event naming it) was stored first, that event moved the balances already.
 */
export async function applyCorrectionToModel(pool: Pool, cmd: PostAdjustmentCommand, adjustmentId?: string): Promise<boolean> {
  return withTransaction(pool, (c) => applyCorrectionIn(c, cmd, adjustmentId, true), [stockLockKey(cmd.site, cmd.sku)]);
}

/**
 * applyCorrectionToModel inside the caller's transaction (an automatic correction recorded with
 * its close). One statement after the lock: the correction kept once per key (a retry learns
 * the adjustment id if the first attempt did not), with the WMS's echo of it if that was stored
 * first, and the balances moved only when it is new and no echo moved them.
 */
export async function applyCorrectionIn(c: PoolClient, cmd: PostAdjustmentCommand, adjustmentId?: string, locked = false): Promise<boolean> {
  if (!locked) await lockForTransaction(c, stockLockKey(cmd.site, cmd.sku));
  const { rows } = await c.query<{ moved: boolean | null }>({
    name: 'model-correction',
    text: `WITH echo AS (
       SELECT source || ':' || event_id AS event FROM inventory_events
       WHERE site = $2 AND sku = $4 AND type = 'adjustment' AND COALESCE(body->>'location', '') = $3
         AND (event_id = $8 OR body->'attributes'->>'adjustmentId' = $8 OR body->'attributes'->>'idempotencyKey' = $1)
       ORDER BY received_at LIMIT 1),
     kept AS (
       INSERT INTO model.corrections (idempotency_key, site, location, sku, qty, target, case_id, adjustment_id, echo_event)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT event FROM echo))
       ON CONFLICT (idempotency_key) DO UPDATE SET adjustment_id = EXCLUDED.adjustment_id
         WHERE model.corrections.adjustment_id IS NULL AND EXCLUDED.adjustment_id IS NOT NULL
       RETURNING xmax = 0 AS inserted, echo_event),
     moved AS (
       UPDATE features.stock SET wms_qty = wms_qty + $9, erp_qty = erp_qty + $5, updated_at = now()
       WHERE site = $2 AND location = $3 AND sku = $4 AND EXISTS (SELECT 1 FROM kept WHERE inserted AND echo_event IS NULL))
     SELECT (SELECT inserted AND echo_event IS NULL FROM kept) AS moved`,
    values: [cmd.idempotencyKey, cmd.site, cmd.location ?? '', cmd.sku, cmd.qty, cmd.target, cmd.caseId, adjustmentId ?? null, cmd.target === 'both' ? cmd.qty : 0],
  });
  return rows[0]?.moved === true;
}
