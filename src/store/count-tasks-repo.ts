import type { Pool, PoolClient } from 'pg';
import type { CreateCountTaskCommand } from '../adapters/ports';
import { withTransaction } from './db';

type Db = Pick<Pool | PoolClient, 'query'>;

/**
 * The count tasks Reckon asked the WMS for (migrations/060_engine_master.sql) and their results
 * as counters reported them: what POST /v1/counts and the counter's view work from, whatever
 * the WMS behind the port.
 */
export interface CountTask {
  taskId: string;
  /** the case, or cycle-count plan, that asked for the count */
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
  /** the WMS's quantity the count was taken against, when the WMS reports it; else Reckon's running balance now */
  bookQty?: number;
}
export interface CountResult extends Omit<CountTask, 'status'> {
  countedQty: number;
  countedBy: string;
  countedAt: string;
  bookQty?: number;
  /** the task was already done with this quantity: the stored result is returned */
  replayed: boolean;
}
export interface OpenCountTask {
  taskId: string;
  site: string;
  zone: string | null;
  location: string | null;
  sku: string;
  reason: string;
  caseId: string;
  createdAt: string;
}

export class CountTaskNotFound extends Error {
  constructor(readonly taskId: string) {
    super(`no count task ${taskId}`);
  }
}
export class CountTaskAlreadyDone extends Error {
  constructor(readonly taskId: string, stored: number, offered: number) {
    super(`count task ${taskId} is already done with ${stored}, not ${offered}`);
  }
}
export class CountResultInvalid extends Error {}

interface Row {
  id: string; owner_id: string; site: string; location: string | null; sku: string; status: 'open' | 'done';
  counted_qty: string | null; counted_by: string | null; counted_at: Date | null; book_qty: string | null;
}

/** A task the WMS created for Reckon (a replay of the same task changes nothing). */
export async function recordCountTask(db: Db, taskId: string, cmd: Pick<CreateCountTaskCommand, 'site' | 'location' | 'sku' | 'caseId' | 'reason'>): Promise<void> {
  await db.query(
    `INSERT INTO count_tasks (id, site, location, sku, owner_id, reason) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (id) DO NOTHING`,
    [taskId, cmd.site, cmd.location ?? null, cmd.sku, cmd.caseId, cmd.reason],
  );
}

export async function getCountTask(db: Db, taskId: string): Promise<CountTask | null> {
  const { rows } = await db.query<Row>('SELECT * FROM count_tasks WHERE id = $1', [taskId]);
  const r = rows[0];
  return r ? { taskId: r.id, caseId: r.owner_id, site: r.site, ...(r.location ? { location: r.location } : {}), sku: r.sku, status: r.status } : null;
}

/** The task's result, once: the same quantity again returns the stored result, another one is refused. */
export async function recordCountResult(pool: Pool, input: CountResultInput): Promise<CountResult> {
  if (!Number.isFinite(input.countedQty) || input.countedQty < 0) throw new CountResultInvalid(`countedQty must be a finite number >= 0, got ${input.countedQty}`);
  if (Number.isNaN(Date.parse(input.countedAt))) throw new CountResultInvalid(`countedAt is not a timestamp: ${input.countedAt}`);
  return withTransaction(pool, async (c) => {
    const found = await c.query<Row>('SELECT * FROM count_tasks WHERE id = $1 FOR UPDATE', [input.taskId]);
    const task = found.rows[0];
    if (!task) throw new CountTaskNotFound(input.taskId);
    if (task.status === 'done') {
      if (Number(task.counted_qty) !== input.countedQty) throw new CountTaskAlreadyDone(task.id, Number(task.counted_qty), input.countedQty);
      return toResult(task, true);
    }
    const books = await c.query<{ wms_qty: string }>('SELECT wms_qty FROM features.stock WHERE site = $1 AND location = $2 AND sku = $3', [task.site, task.location ?? '', task.sku]);
    const bookQty = input.bookQty ?? (books.rows.length ? Number(books.rows[0].wms_qty) : null);
    const done = await c.query<Row>(
      `UPDATE count_tasks SET status = 'done', counted_qty = $2, counted_by = $3, counted_at = $4, book_qty = $5 WHERE id = $1 RETURNING *`,
      [task.id, input.countedQty, input.countedBy, input.countedAt, bookQty],
    );
    await c.query(
      'INSERT INTO model.counts (id, site, location, sku, counted_qty, counted_by, counted_at) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (id) DO NOTHING',
      [`task:${task.id}`, task.site, task.location ?? '', task.sku, input.countedQty, input.countedBy, input.countedAt],
    );
    return toResult(done.rows[0], false);
  });
}

function toResult(r: Row, replayed: boolean): CountResult {
  return {
    taskId: r.id, caseId: r.owner_id, site: r.site, ...(r.location ? { location: r.location } : {}), sku: r.sku,
    countedQty: Number(r.counted_qty), countedBy: r.counted_by ?? '', countedAt: (r.counted_at ?? new Date(0)).toISOString(),
    ...(r.book_qty === null ? {} : { bookQty: Number(r.book_qty) }),
    replayed,
  };
}

/** Open tasks in walking order (zone, bin, sku) within `sites` (undefined: every site). */
export async function listOpenCountTasks(db: Db, sites: string[] | undefined, limit = 200): Promise<OpenCountTask[]> {
  const { rows } = await db.query<{ id: string; site: string; zone: string | null; location: string | null; sku: string; reason: string; owner_id: string; created_at: Date }>(
    `SELECT t.id, t.site, l.zone, t.location, t.sku, t.reason, t.owner_id, t.created_at
     FROM count_tasks t LEFT JOIN model.locations l ON l.site = t.site AND l.location = t.location
     WHERE t.status = 'open' AND ($2::text[] IS NULL OR t.site = ANY($2::text[]))
     ORDER BY t.site, l.zone NULLS LAST, t.location NULLS LAST, t.sku, t.id LIMIT $1`,
    [limit, sites ?? null],
  );
  return rows.map((r) => ({ taskId: r.id, site: r.site, zone: r.zone, location: r.location, sku: r.sku, reason: r.reason, caseId: r.owner_id, createdAt: r.created_at.toISOString() }));
}

/** The open count tasks an owner (a case or a cycle-count plan) asked for, by location and sku. */
export async function openTasksOfOwner(db: Db, ownerId: string): Promise<{ id: string; location: string | null; sku: string }[]> {
  const { rows } = await db.query<{ id: string; location: string | null; sku: string }>(
    `SELECT id, location, sku FROM count_tasks WHERE owner_id = $1 AND status = 'open' ORDER BY location, sku`,
    [ownerId],
  );
  return rows;
}
