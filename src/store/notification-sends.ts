import type { Pool } from 'pg';
import type { NotificationChannel } from '../domain';

export type SendStatus = 'pending' | 'sent' | 'failed' | 'dead';

export interface NewSend {
  id: string;
  idempotencyKey: string;
  caseId: string;
  role: string;
  site: string;
  channel: NotificationChannel;
  recipient: string;
  subject: string;
  payload: unknown;
  maxAttempts: number;
}

export interface StoredSend extends Omit<NewSend, 'idempotencyKey' | 'payload'> {
  status: SendStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

/** Records a send before it is tried; a repeat of the same notification, channel and recipient changes nothing. */
export async function recordSend(db: Pool, s: NewSend): Promise<void> {
  await db.query(
    `INSERT INTO notification_sends (id, idempotency_key, case_id, role, site, channel, recipient, subject, payload, max_attempts)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING`,
    [s.id, s.idempotencyKey, s.caseId, s.role, s.site, s.channel, s.recipient, s.subject, JSON.stringify(s.payload), s.maxAttempts],
  );
}

export async function sendToTry(db: Pool, id: string): Promise<{ channel: NotificationChannel; recipient: string; payload: unknown; status: SendStatus; attempts: number } | null> {
  const { rows } = await db.query('SELECT channel, recipient, payload, status, attempts FROM notification_sends WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** One try and its outcome: the send's status follows the latest try. */
export async function recordAttempt(db: Pool, id: string, outcome: 'sent' | 'failed', detail: string | null): Promise<number> {
  const { rows } = await db.query<{ attempts: number }>(
    `UPDATE notification_sends SET attempts = attempts + 1, status = $2, last_error = CASE WHEN $2 = 'failed' THEN $3 ELSE last_error END,
       sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END, updated_at = now()
     WHERE id = $1 AND status <> 'sent' RETURNING attempts`,
    [id, outcome, detail],
  );
  const attempt = rows[0]?.attempts;
  if (attempt !== undefined) {
    await db.query('INSERT INTO notification_attempts (send_id, attempt, outcome, detail) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING', [id, attempt, outcome, detail]);
  }
  return attempt ?? 0;
}

export async function markSendDead(db: Pool, id: string, reason: string): Promise<void> {
  await db.query(
    `UPDATE notification_sends SET status = 'dead', last_error = COALESCE($2, last_error), updated_at = now() WHERE id = $1 AND status <> 'sent'`,
    [id, reason],
  );
}

export interface SendFilter {
  caseId?: string;
  status?: SendStatus[];
  channel?: NotificationChannel[];
  /** sites the caller may see; undefined: all */
  sites?: string[];
  limit: number;
}

export async function listSends(db: Pool, f: SendFilter): Promise<(StoredSend & { tries: { attempt: number; at: string; outcome: string; detail: string | null }[] })[]> {
  const { rows } = await db.query(
    `SELECT s.*, COALESCE((SELECT json_agg(json_build_object('attempt', a.attempt, 'at', a.at, 'outcome', a.outcome, 'detail', a.detail) ORDER BY a.attempt)
                            FROM notification_attempts a WHERE a.send_id = s.id), '[]') AS tries
     FROM notification_sends s
     WHERE ($1::text IS NULL OR s.case_id = $1) AND ($2::text[] IS NULL OR s.status = ANY($2))
       AND ($3::text[] IS NULL OR s.channel = ANY($3)) AND ($4::text[] IS NULL OR s.site = ANY($4))
     ORDER BY s.created_at DESC, s.id LIMIT $5`,
    [f.caseId ?? null, f.status ?? null, f.channel ?? null, f.sites ?? null, f.limit],
  );
  const iso = (v: Date | null) => (v ? v.toISOString() : null);
  return rows.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    role: r.role,
    site: r.site,
    channel: r.channel,
    recipient: r.recipient,
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lastError: r.last_error,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    sentAt: iso(r.sent_at),
    tries: r.tries,
  }));
}

/** What a notification says about its case, from the read model. */
export async function caseForNotification(db: Pool, caseId: string): Promise<{ kind: string; sku: string; location: string | null; severity: string | null; slaDeadline: string | null; valueAtRisk: number; policyVersion: number | null } | null> {
  const { rows } = await db.query(
    'SELECT kind, sku, location, severity, sla_deadline, value_at_risk, policy_version FROM discrepancies WHERE id = $1',
    [caseId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    kind: r.kind,
    sku: r.sku,
    location: r.location,
    severity: r.severity,
    slaDeadline: r.sla_deadline ? r.sla_deadline.toISOString() : null,
    valueAtRisk: Number(r.value_at_risk),
    policyVersion: r.policy_version,
  };
}
