import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Notification, NotifierPort } from '../adapters/ports';

/**
 * The in-app notifier: every notification is kept in Reckon's own table once per idempotency
 * key (an activity retried, or replayed after a crash, finds the row it wrote and says so).
 * The channels that leave the building (email, webhook, chat) are sent beside it.
 */
export function createInAppNotifier(pool: Pool): NotifierPort {
  return {
    async notify(n: Notification) {
      if (!n.idempotencyKey) throw new Error('a notification needs an idempotency key');
      const inserted = await pool.query<{ id: string }>(
        `INSERT INTO in_app_notifications (id, role, site, case_id, subject, body, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id`,
        [`NTF-${randomUUID()}`, n.role, n.site, n.caseId, n.subject, n.body, n.idempotencyKey],
      );
      if (inserted.rowCount) return { notificationId: inserted.rows[0].id, replayed: false };
      // one statement: the conflicting row is committed by the time DO NOTHING returns
      const prior = await pool.query<{ id: string }>('SELECT id FROM in_app_notifications WHERE idempotency_key = $1', [n.idempotencyKey]);
      return { notificationId: prior.rows[0].id, replayed: true };
    },
  };
}
