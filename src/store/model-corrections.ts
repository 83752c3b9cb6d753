import type { Pool } from 'pg';
import type { PostAdjustmentCommand } from '../adapters/ports';
import { withTransaction } from './db';

/**
 * A correction Reckon posted through the WMS/ERP port, applied to its own running balances once
 * (keyed by the idempotency key): the next event at the bin is compared with the corrected books.
 * `both` moves the WMS and ERP views; `erp` resyncs the ERP view only.
 */
export async function applyCorrectionToModel(pool: Pool, cmd: PostAdjustmentCommand): Promise<boolean> {
  return withTransaction(pool, async (c) => {
    const first = await c.query(
      `INSERT INTO model.corrections (idempotency_key, site, location, sku, qty, target, case_id) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING`,
      [cmd.idempotencyKey, cmd.site, cmd.location ?? '', cmd.sku, cmd.qty, cmd.target, cmd.caseId],
    );
    if ((first.rowCount ?? 0) === 0) return false;
    await c.query(
      `UPDATE features.stock SET wms_qty = wms_qty + $4, erp_qty = erp_qty + $5, updated_at = now() WHERE site = $1 AND location = $2 AND sku = $3`,
      [cmd.site, cmd.location ?? '', cmd.sku, cmd.target === 'both' ? cmd.qty : 0, cmd.qty],
    );
    return true;
  });
}
