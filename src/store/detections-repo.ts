import type { Pool, PoolClient } from 'pg';
import { dedupeKey, type DiscrepancyReport } from '../domain';

type Db = Pick<PoolClient, 'query'>;

/**
 * Detections: what a detector (or a watcher) found, stored in the same transaction as the
 * cause that produced it, then handed to Temporal. The table is an outbox — a crash between
 * the two leaves undispatched rows that the next delivery of the event (or the activity's
 * retry) dispatches — and the record detection latency is measured from.
 */
export interface Detection {
  eventSource: string;
  eventId: string;
  /** the site of the event that caused it (event ids are unique per source and site); default: the report's */
  eventSite?: string;
  detector: string;
  detectorVersion: string;
  mode: 'report' | 'settle';
  report: DiscrepancyReport;
  /** when Reckon received the cause: the event, or the moment an expected event became overdue */
  receivedAt: string;
}

/** What caused detections: an event (its site too: ids are unique per source and site) or a watch. */
export interface Cause {
  eventSource: string;
  eventId: string;
  eventSite?: string;
}

/** Stores detections in one statement (a repeat of a stored one changes nothing). */
export async function storeDetections(db: Db, rows: Detection[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(f: (d: Detection) => T) => rows.map(f);
  await db.query(
    `INSERT INTO detections (event_source, event_site, event_id, detector, detector_version, dedupe_key, mode, report, received_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::timestamptz[])
     ON CONFLICT (event_source, event_site, event_id, detector, dedupe_key) DO NOTHING`,
    [
      col((d) => d.eventSource), col((d) => d.eventSite ?? d.report.site), col((d) => d.eventId), col((d) => d.detector), col((d) => d.detectorVersion),
      col((d) => dedupeKey(d.report)), col((d) => d.mode), col((d) => JSON.stringify(d.report)), col((d) => d.receivedAt),
    ],
  );
}

/** Whether any detection was already stored under this report's dedupe key. */
export async function isDetected(db: Db, report: DiscrepancyReport): Promise<boolean> {
  const seen = await db.query('SELECT 1 FROM detections WHERE dedupe_key = $1 LIMIT 1', [dedupeKey(report)]);
  return seen.rowCount !== 0;
}

export interface UndispatchedDetection {
  id: string;
  mode: Detection['mode'];
  report: DiscrepancyReport;
  received_at: Date;
}

/** A cause's detections not yet handed to Temporal, in the order they were stored. */
export async function undispatchedDetections(db: Pool | Db, cause: Cause): Promise<UndispatchedDetection[]> {
  const { rows } = await db.query<UndispatchedDetection>(
    `SELECT id, mode, report, received_at FROM detections
     WHERE event_source = $1 AND event_id = $2 AND ($3::text IS NULL OR event_site = $3) AND dispatched_at IS NULL ORDER BY id`,
    [cause.eventSource, cause.eventId, cause.eventSite ?? null],
  );
  return rows;
}

/** A settling detection handed to its watch. */
export async function markDispatched(db: Pool | Db, id: string): Promise<void> {
  await db.query('UPDATE detections SET dispatched_at = now() WHERE id = $1', [id]);
}

export async function markReported(db: Pool | Db, id: string, accepted: { id: string; workflowId: string }): Promise<void> {
  await db.query(
    'UPDATE detections SET dispatched_at = COALESCE(dispatched_at, now()), reported_at = now(), case_id = $2, workflow_id = $3 WHERE id = $1',
    [id, accepted.id, accepted.workflowId],
  );
}

/**
 * Cases a cause opened or joined; `sites` (a caller's, without '*') keeps only cases at those
 * sites, so an answer never names another site's case.
 */
export async function casesOf(db: Pool | Db, cause: Cause, sites?: readonly string[]): Promise<string[]> {
  const only = sites && !sites.includes('*') ? [...sites] : null;
  const { rows } = await db.query<{ case_id: string }>(
    `SELECT DISTINCT case_id FROM detections
     WHERE event_source = $1 AND event_id = $2 AND ($3::text IS NULL OR event_site = $3) AND case_id IS NOT NULL
       AND ($4::text[] IS NULL OR report->>'site' = ANY($4::text[]))
     ORDER BY case_id`,
    [cause.eventSource, cause.eventId, cause.eventSite ?? null, only],
  );
  return rows.map((r) => r.case_id);
}

export interface CauseDetection extends UndispatchedDetection {
  event_source: string;
  event_site: string;
  event_id: string;
}

/** The undispatched detections of many causes in one statement, in the order they were stored. */
export async function undispatchedOfCauses(db: Pool | Db, causes: Required<Cause>[]): Promise<CauseDetection[]> {
  if (causes.length === 0) return [];
  const { rows } = await db.query<CauseDetection>(
    `SELECT d.id, d.mode, d.report, d.received_at, d.event_source, d.event_site, d.event_id FROM detections d
     JOIN unnest($1::text[], $2::text[], $3::text[]) k(event_source, event_site, event_id) USING (event_source, event_site, event_id)
     WHERE d.dispatched_at IS NULL ORDER BY d.id`,
    [causes.map((c) => c.eventSource), causes.map((c) => c.eventSite), causes.map((c) => c.eventId)],
  );
  return rows;
}

/** Settling detections handed to their watches, and reports handed to their cases, in one statement. */
export async function markHandedOver(db: Pool | Db, done: { id: string; caseId?: string; workflowId?: string }[]): Promise<void> {
  if (done.length === 0) return;
  await db.query(
    `UPDATE detections d SET dispatched_at = COALESCE(d.dispatched_at, now()),
       reported_at = CASE WHEN k.case_id IS NULL THEN d.reported_at ELSE now() END,
       case_id = COALESCE(k.case_id, d.case_id), workflow_id = COALESCE(k.workflow_id, d.workflow_id)
     FROM unnest($1::bigint[], $2::text[], $3::text[]) k(id, case_id, workflow_id) WHERE d.id = k.id`,
    [done.map((d) => d.id), done.map((d) => d.caseId ?? null), done.map((d) => d.workflowId ?? null)],
  );
}

/** `casesOf` for many causes in one statement: each cause's cases (key: source \0 site \0 id). */
export async function casesOfCauses(db: Pool | Db, causes: Required<Cause>[], sites?: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (causes.length === 0) return out;
  const only = sites && !sites.includes('*') ? [...sites] : null;
  const { rows } = await db.query<{ event_source: string; event_site: string; event_id: string; case_id: string }>(
    `SELECT DISTINCT d.event_source, d.event_site, d.event_id, d.case_id FROM detections d
     JOIN unnest($1::text[], $2::text[], $3::text[]) k(event_source, event_site, event_id) USING (event_source, event_site, event_id)
     WHERE d.case_id IS NOT NULL AND ($4::text[] IS NULL OR d.report->>'site' = ANY($4::text[]))
     ORDER BY d.case_id`,
    [causes.map((c) => c.eventSource), causes.map((c) => c.eventSite), causes.map((c) => c.eventId), only],
  );
  for (const r of rows) {
    const k = `${r.event_source}\u0000${r.event_site}\u0000${r.event_id}`;
    out.set(k, [...(out.get(k) ?? []), r.case_id]);
  }
  return out;
}
