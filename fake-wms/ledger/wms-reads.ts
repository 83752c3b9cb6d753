import type { Pool } from 'pg';
import type { AdjustmentEvidence, BalanceEvidence, CountEvidence, ReturnEvidence, TransactionEvidence } from '../../src/domain';
import type { StockKey } from '../../src/adapters/ports';
import { EVIDENCE_LIMIT, iso, num, orUndefined, stockParams } from './rows';

/** The WMS view of a balance; without a location, the whole site. */
export async function getWmsBalance(pool: Pool, key: StockKey): Promise<BalanceEvidence | null> {
  const { rows } = await pool.query<{ n: string; qty: string | null; held: string | null }>({
    name: 'ledger-wms-balance',
    text: `SELECT count(*) AS n, sum(wms_qty) AS qty, sum(held_qty) AS held FROM ledger.balances
     WHERE site = $1 AND sku = $2 AND ($3::text IS NULL OR location = $3::text)`,
    values: stockParams(key),
  });
  if (num(rows[0].n) === 0) return null;
  return { qty: num(rows[0].qty), heldQty: num(rows[0].held) };
}

export async function listTransactions(pool: Pool, key: StockKey, since: string): Promise<TransactionEvidence[]> {
  const { rows } = await pool.query<{ id: string; type: string; qty: string; user_id: string | null; occurred_at: Date; posted_to_erp: boolean }>({
    name: 'ledger-transactions',
    text: `SELECT id, type, qty, user_id, occurred_at, posted_to_erp FROM ledger.transactions
     WHERE site = $1 AND sku = $2 AND ($3::text IS NULL OR location = $3::text) AND occurred_at >= $4::timestamptz
     ORDER BY occurred_at DESC, id DESC LIMIT ${EVIDENCE_LIMIT}`,
    values: [...stockParams(key), since],
  });
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    qty: num(r.qty),
    userId: orUndefined(r.user_id),
    occurredAt: iso(r.occurred_at),
    postedToErp: r.posted_to_erp,
  }));
}

/**
 * Adjustments by anyone: people's adjustments in the WMS and the ones Reckon posted (which
 * are recorded as transactions too), so "who adjusted this bin" has one answer.
 */
export async function listAdjustments(pool: Pool, key: StockKey, since: string): Promise<AdjustmentEvidence[]> {
  const { rows } = await pool.query<{ id: string; qty: string; user_id: string | null; reason_code: string | null; occurred_at: Date }>({
    name: 'ledger-adjustments',
    text: `SELECT id, qty, user_id, reason_code, occurred_at FROM ledger.transactions
     WHERE type = 'adjustment' AND site = $1 AND sku = $2 AND ($3::text IS NULL OR location = $3::text)
       AND occurred_at >= $4::timestamptz
     ORDER BY occurred_at DESC, id DESC LIMIT ${EVIDENCE_LIMIT}`,
    values: [...stockParams(key), since],
  });
  return rows.map((r) => ({
    id: r.id,
    qty: num(r.qty),
    userId: orUndefined(r.user_id),
    reasonCode: r.reason_code ?? 'UNSPECIFIED',
    occurredAt: iso(r.occurred_at),
  }));
}

export async function listCountHistory(pool: Pool, key: StockKey, since: string): Promise<CountEvidence[]> {
  const { rows } = await pool.query<{ task_id: string | null; counted_qty: string; counted_by: string | null; counted_at: Date }>({
    name: 'ledger-counts',
    text: `SELECT task_id, counted_qty, counted_by, counted_at FROM ledger.counts
     WHERE site = $1 AND sku = $2 AND ($3::text IS NULL OR location = $3::text) AND counted_at >= $4::timestamptz
     ORDER BY counted_at DESC, id DESC LIMIT ${EVIDENCE_LIMIT}`,
    values: [...stockParams(key), since],
  });
  return rows.map((r) => ({
    taskId: orUndefined(r.task_id),
    countedQty: num(r.counted_qty),
    countedBy: orUndefined(r.counted_by),
    countedAt: iso(r.counted_at),
  }));
}

export async function listReturnsPending(pool: Pool, key: StockKey): Promise<ReturnEvidence[]> {
  const { rows } = await pool.query<{ id: string; qty: string; received_at: Date; dispositioned: boolean }>({
    name: 'ledger-returns',
    text: `SELECT id, qty, received_at, dispositioned FROM ledger.returns
     WHERE NOT dispositioned AND site = $1 AND sku = $2 AND ($3::text IS NULL OR location = $3::text)
     ORDER BY received_at DESC, id DESC LIMIT ${EVIDENCE_LIMIT}`,
    values: stockParams(key),
  });
  return rows.map((r) => ({ id: r.id, qty: num(r.qty), receivedAt: iso(r.received_at), dispositioned: r.dispositioned }));
}
