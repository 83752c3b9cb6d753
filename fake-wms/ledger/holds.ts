import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { withTransaction } from '../../src/store/db';
import type { PlaceHoldCommand } from '../../src/adapters/ports';
import { HoldNotFound, requireKey, requireQty } from './errors';
import { balanceLocation } from './rows';

/** Holds stock from availability: held_qty grows once per idempotency key. */
export async function placeHold(pool: Pool, cmd: PlaceHoldCommand): Promise<{ holdId: string; replayed: boolean }> {
  requireKey(cmd.idempotencyKey);
  requireQty(cmd.qty, 'positive');
  return withTransaction(pool, async (c) => {
    const inserted = await c.query<{ id: string }>(
      `INSERT INTO ledger.holds (id, site, location, sku, qty, reason, case_id, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id`,
      [`HLD-${randomUUID()}`, cmd.site, cmd.location ?? null, cmd.sku, cmd.qty, cmd.reason, cmd.caseId, cmd.idempotencyKey],
    );
    if (inserted.rowCount === 0) {
      const prior = await c.query<{ id: string }>('SELECT id FROM ledger.holds WHERE idempotency_key = $1', [cmd.idempotencyKey]);
      return { holdId: prior.rows[0].id, replayed: true };
    }
    await c.query(
      `INSERT INTO ledger.balances (site, location, sku, held_qty)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (site, location, sku) DO UPDATE SET held_qty = ledger.balances.held_qty + EXCLUDED.held_qty, updated_at = now()`,
      [cmd.site, balanceLocation(cmd), cmd.sku, cmd.qty],
    );
    return { holdId: inserted.rows[0].id, replayed: false };
  });
}

/**
 * Releases a hold once. `released` is true when this key released it (now or on an earlier
 * call); false when it had already been released under another key, so nothing changed.
 */
export async function releaseHold(pool: Pool, cmd: { holdId: string; idempotencyKey: string }): Promise<{ released: boolean }> {
  requireKey(cmd.idempotencyKey);
  return withTransaction(pool, async (c) => {
    const found = await c.query<{ site: string; location: string | null; sku: string; qty: string; released_at: Date | null; release_key: string | null }>(
      'SELECT site, location, sku, qty, released_at, release_key FROM ledger.holds WHERE id = $1 FOR UPDATE',
      [cmd.holdId],
    );
    if (found.rowCount === 0) throw new HoldNotFound(cmd.holdId);
    const hold = found.rows[0];
    if (hold.released_at !== null) return { released: hold.release_key === cmd.idempotencyKey };
    await c.query('UPDATE ledger.holds SET released_at = now(), release_key = $2 WHERE id = $1', [cmd.holdId, cmd.idempotencyKey]);
    // a fixture reload may have lowered held_qty under the hold: never go below zero
    await c.query(
      `UPDATE ledger.balances SET held_qty = GREATEST(held_qty - $4, 0), updated_at = now()
       WHERE site = $1 AND location = $2 AND sku = $3`,
      [hold.site, hold.location ?? '', hold.sku, hold.qty],
    );
    return { released: true };
  });
}
