import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { HEADERS, IdempotencyKey, PROBLEM_CODES } from '../../src/adapters/http/contract';
import { Refusal } from './problems';

/** Every write needs an Idempotency-Key; the ledger's own unique keys do the rest. */
export function idempotencyKeyOf(req: Request): string {
  const key = req.get(HEADERS.idempotencyKey);
  if (key === undefined) throw new Refusal(400, 'idempotency_key_required', `${HEADERS.idempotencyKey} header is required on every write`);
  const parsed = IdempotencyKey.safeParse(key);
  if (!parsed.success) throw new Refusal(400, 'invalid_request', `${HEADERS.idempotencyKey}: ${parsed.error.issues[0].message}`, [{ path: `header.${HEADERS.idempotencyKey}`, message: parsed.error.issues[0].message }]);
  return parsed.data;
}

/** A replay answers as the first request did, and says so. */
export function answerWrite(res: Response, status: number, body: unknown, replayed: boolean): void {
  if (replayed) res.setHeader(HEADERS.replayed, 'true');
  res.status(status).json(body);
}

type Table = 'ledger.adjustments' | 'ledger.holds' | 'ledger.count_tasks' | 'ledger.notifications';

/**
 * On a replay, the stored command must be the one now offered: a key reused for a different
 * write is the caller's bug, refused with 422 rather than answered with someone else's result.
 */
export async function assertSameCommand(pool: Pool, table: Table, id: string, offered: Record<string, string | number | undefined>): Promise<void> {
  const columns = Object.keys(offered);
  const { rows } = await pool.query(`SELECT ${columns.join(', ')} FROM ${table} WHERE id = $1`, [id]);
  const stored = rows[0] as Record<string, unknown> | undefined;
  if (!stored) return;
  const differs = columns.filter((c) => norm(stored[c]) !== norm(offered[c]));
  if (differs.length) {
    throw new Refusal(422, PROBLEM_CODES.keyReused, `this Idempotency-Key was used for a different request (${differs.join(', ')} differ)`);
  }
}

function norm(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) && /^-?[\d.e+-]+$/i.test(v))) return String(Number(v));
  return String(v);
}
