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

export async function storeDetections(db: Db, rows: Detection[]): Promise<void> {
  for (const d of rows) {
    await db.query(
      `INSERT INTO detections (event_source, event_site, event_id, detector, detector_version, dedupe_key, mode, report, received_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (event_source, event_site, event_id, detector, dedupe_key) DO NOTHING`,
      [d.eventSource, d.eventSite ?? d.report.site, d.eventId, d.detector, d.detectorVersion, dedupeKey(d.report), d.mode, JSON.stringify(d.report), d.receivedAt],
    );
  }
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
