import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Notification, NotifierPort } from '../../src/adapters/ports';
import { requireKey } from './errors';
import { iso } from './rows';

/** Notifications land in ledger.notifications: the demo and small sites read them from there. */
export function createReferenceNotifier(pool: Pool): NotifierPort {
  return {
    async notify(n: Notification) {
      requireKey(n.idempotencyKey);
      const inserted = await pool.query<{ id: string }>(
        `INSERT INTO ledger.notifications (id, role, site, case_id, subject, body, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id`,
        [`NTF-${randomUUID()}`, n.role, n.site, n.caseId, n.subject, n.body, n.idempotencyKey],
      );
      if (inserted.rowCount) return { notificationId: inserted.rows[0].id, replayed: false };
      // a single statement: the conflicting row is committed by the time DO NOTHING returns
      const prior = await pool.query<{ id: string }>('SELECT id FROM ledger.notifications WHERE idempotency_key = $1', [n.idempotencyKey]);
      return { notificationId: prior.rows[0].id, replayed: true };
    },
  };
}

export interface StoredNotification extends Omit<Notification, 'idempotencyKey'> {
  notificationId: string;
  createdAt: string;
}

/** Notifications sent for a case, oldest first. */
export async function listNotifications(pool: Pool, caseId: string): Promise<StoredNotification[]> {
  const { rows } = await pool.query<{ id: string; role: string; site: string; case_id: string; subject: string; body: string; created_at: Date }>(
    'SELECT id, role, site, case_id, subject, body, created_at FROM ledger.notifications WHERE case_id = $1 ORDER BY created_at, id',
    [caseId],
  );
  return rows.map((r) => ({
    notificationId: r.id,
    role: r.role,
    site: r.site,
    caseId: r.case_id,
    subject: r.subject,
    body: r.body,
    createdAt: iso(r.created_at),
  }));
}
