import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { withTransaction } from '../../src/store/db';
import type { CreateCountTaskCommand } from '../../src/adapters/ports';
import { CountTaskAlreadyDone, CountTaskNotFound, LedgerCommandInvalid, requireKey } from './errors';
import { iso, num, orUndefined } from './rows';

export interface CountTask {
  taskId: string;
  caseId: string;
  site: string;
  location?: string;
  sku: string;
  status: 'open' | 'done';
}

export interface CountResultInput {
  taskId: string;
  countedQty: number;
  countedBy: string;
  countedAt: string;
  /** the WMS's quantity the count was taken against, when the WMS reports it; else the ledger's now */
  bookQty?: number;
}

export interface CountResult {
  taskId: string;
  caseId: string;
  site: string;
  location?: string;
  sku: string;
  countedQty: number;
  countedBy: string;
  countedAt: string;
  /** the WMS's quantity when counted (absent on results recorded before it was kept) */
  bookQty?: number;
  /** true when the task was already done with this quantity and the stored result was returned */
  replayed: boolean;
}

interface CountTaskRow {
  id: string;
  case_id: string;
  site: string;
  location: string | null;
  sku: string;
  status: 'open' | 'done';
  counted_qty: string | null;
  counted_by: string | null;
  counted_at: Date | null;
  book_qty: string | null;
}

export async function createCountTask(pool: Pool, cmd: CreateCountTaskCommand): Promise<{ taskId: string; replayed: boolean }> {
  requireKey(cmd.idempotencyKey);
  return withTransaction(pool, async (c) => {
    const inserted = await c.query<{ id: string }>(
      `INSERT INTO ledger.count_tasks (id, site, location, sku, case_id, reason, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id`,
      [`CT-${randomUUID()}`, cmd.site, cmd.location ?? null, cmd.sku, cmd.caseId, cmd.reason, cmd.idempotencyKey],
    );
    if (inserted.rowCount) return { taskId: inserted.rows[0].id, replayed: false };
    const prior = await c.query<{ id: string }>('SELECT id FROM ledger.count_tasks WHERE idempotency_key = $1', [cmd.idempotencyKey]);
    return { taskId: prior.rows[0].id, replayed: true };
  });
}

export async function getCountTask(pool: Pool, taskId: string): Promise<CountTask | null> {
  const { rows } = await pool.query<CountTaskRow>('SELECT * FROM ledger.count_tasks WHERE id = $1', [taskId]);
  return rows.length ? toTask(rows[0]) : null;
}

/**
 * Records the result of a count task: the task is done and the count joins the history.
 * A count does not move the balance; the case decides whether to post an adjustment.
 * Idempotent per task: the same quantity again returns the stored result.
 */
export async function recordCountResult(pool: Pool, input: CountResultInput): Promise<CountResult> {
  if (!Number.isFinite(input.countedQty) || input.countedQty < 0) {
    throw new LedgerCommandInvalid(`countedQty must be a finite number >= 0, got ${input.countedQty}`);
  }
  if (Number.isNaN(Date.parse(input.countedAt))) throw new LedgerCommandInvalid(`countedAt is not a timestamp: ${input.countedAt}`);
  return withTransaction(pool, async (c) => {
    const found = await c.query<CountTaskRow>('SELECT * FROM ledger.count_tasks WHERE id = $1 FOR UPDATE', [input.taskId]);
    if (found.rowCount === 0) throw new CountTaskNotFound(input.taskId);
    const task = found.rows[0];
    if (task.status === 'done') {
      const stored = num(task.counted_qty);
      if (stored !== input.countedQty) throw new CountTaskAlreadyDone(task.id, stored, input.countedQty);
      return toResult(task, true);
    }
    // the books at the moment of the count, in the count's transaction
    const books = await c.query<{ wms_qty: string }>(
      'SELECT wms_qty FROM ledger.balances WHERE site = $1 AND location IS NOT DISTINCT FROM $2 AND sku = $3',
      [task.site, task.location, task.sku],
    );
    const bookQty = input.bookQty ?? (books.rows.length ? num(books.rows[0].wms_qty) : null);
    const done = await c.query<CountTaskRow>(
      `UPDATE ledger.count_tasks SET status = 'done', counted_qty = $2, counted_by = $3, counted_at = $4, book_qty = $5
       WHERE id = $1 RETURNING *`,
      [task.id, input.countedQty, input.countedBy, input.countedAt, bookQty],
    );
    await c.query(
      `INSERT INTO ledger.counts (id, site, location, sku, counted_qty, counted_by, counted_at, task_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [`CNT-${randomUUID()}`, task.site, task.location, task.sku, input.countedQty, input.countedBy, input.countedAt, task.id],
    );
    return toResult(done.rows[0], false);
  });
}

function toTask(r: CountTaskRow): CountTask {
  return { taskId: r.id, caseId: r.case_id, site: r.site, location: orUndefined(r.location), sku: r.sku, status: r.status };
}

function toResult(r: CountTaskRow, replayed: boolean): CountResult {
  return {
    taskId: r.id,
    caseId: r.case_id,
    site: r.site,
    location: orUndefined(r.location),
    sku: r.sku,
    countedQty: num(r.counted_qty),
    countedBy: r.counted_by ?? '',
    countedAt: iso(r.counted_at ?? new Date(0)),
    ...(r.book_qty === null || r.book_qty === undefined ? {} : { bookQty: num(r.book_qty) }),
    replayed,
  };
}
