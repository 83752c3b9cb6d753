import type { PoolClient } from 'pg';
import { shortHash } from '../domain';
import { linkLockKey, type CaseLink } from '../triage/links';

type Db = Pick<PoolClient, 'query'>;

/** First key of the advisory locks that serialise changes to one link's incident. */
const INCIDENT_LOCK = 727_275;

interface SiteLink extends CaseLink {
  site: string;
}

/**
 * Takes the transaction-scoped lock of each link, in one global order (by lock key) so two
 * cases sharing several links can never wait on each other in a cycle. Under the lock every
 * later statement of the transaction sees the other cases' committed links.
 */
async function lockLinks(db: Db, links: SiteLink[]): Promise<void> {
  const keys = [...new Set(links.map((l) => linkLockKey(l.site, l)))].sort((a, b) => a - b);
  for (const key of keys) await db.query('SELECT pg_advisory_xact_lock($1, $2)', [INCIDENT_LOCK, key]);
}

/** Readable and deterministic: the site, a hash of the link, and which incident of that link it is. */
export function incidentId(link: SiteLink, seq: number): string {
  const site = link.site.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 24);
  return `INC-${site}-${link.kind}-${shortHash(`${link.site}|${link.kind}|${link.key}`)}-${seq}`;
}

async function openIncidentOf(db: Db, l: SiteLink): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM incidents WHERE site = $1 AND link_kind = $2 AND link_key = $3 AND status = 'open'`,
    [l.site, l.kind, l.key],
  );
  return rows[0]?.id;
}

/**
 * A case opened (its first projection): record its links, and for each link join the open
 * incident, or start one when another open case already shares the link. Runs inside the
 * projection's transaction; a retry finds the links recorded and changes nothing.
 */
export async function joinIncidents(db: Db, caseId: string, site: string, links: CaseLink[]): Promise<void> {
  if (links.length === 0) return;
  const inserted = await db.query<{ link_kind: CaseLink['kind']; link_key: string }>(
    `INSERT INTO case_links (case_id, site, link_kind, link_key)
     SELECT $1, $2, k, v FROM unnest($3::text[], $4::text[]) AS t(k, v)
     ON CONFLICT DO NOTHING RETURNING link_kind, link_key`,
    [caseId, site, links.map((l) => l.kind), links.map((l) => l.key)],
  );
  const fresh: SiteLink[] = inserted.rows.map((r) => ({ site, kind: r.link_kind, key: r.link_key }));
  if (fresh.length === 0) return;
  await lockLinks(db, fresh);
  for (const l of fresh) {
    const open = await openIncidentOf(db, l);
    if (open) {
      await db.query('INSERT INTO incident_cases (incident_id, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [open, caseId]);
      await db.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [open]);
      continue;
    }
    const others = await db.query<{ case_id: string }>(
      `SELECT case_id FROM case_links WHERE site = $1 AND link_kind = $2 AND link_key = $3 AND open AND case_id <> $4
       ORDER BY linked_at, case_id`,
      [l.site, l.kind, l.key, caseId],
    );
    if (others.rows.length === 0) continue;
    const { rows } = await db.query<{ seq: number }>(
      'SELECT COALESCE(max(seq), 0) + 1 AS seq FROM incidents WHERE site = $1 AND link_kind = $2 AND link_key = $3',
      [l.site, l.kind, l.key],
    );
    const id = incidentId(l, rows[0].seq);
    await db.query(
      `INSERT INTO incidents (id, site, link_kind, link_key, seq, status) VALUES ($1, $2, $3, $4, $5, 'open')`,
      [id, l.site, l.kind, l.key, rows[0].seq],
    );
    await db.query(
      `INSERT INTO incident_cases (incident_id, case_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
      [id, [...others.rows.map((r) => r.case_id), caseId]],
    );
  }
}

/**
 * A case closed: its links stop counting, it leaves its incidents, and an incident left with
 * fewer than two open cases closes (its last case leaves with it). Idempotent like joinIncidents.
 */
export async function leaveIncidents(db: Db, caseId: string): Promise<void> {
  const closed = await db.query<{ site: string; link_kind: CaseLink['kind']; link_key: string }>({
    name: 'case-links-close',
    text: 'UPDATE case_links SET open = false WHERE case_id = $1 AND open RETURNING site, link_kind, link_key',
    values: [caseId],
  });
  const links: SiteLink[] = closed.rows.map((r) => ({ site: r.site, kind: r.link_kind, key: r.link_key }));
  if (links.length === 0) return;
  await lockLinks(db, links);
  for (const l of links) {
    const open = await openIncidentOf(db, l);
    if (!open) continue;
    await db.query('UPDATE incident_cases SET left_at = now() WHERE incident_id = $1 AND case_id = $2 AND left_at IS NULL', [open, caseId]);
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM incident_cases WHERE incident_id = $1 AND left_at IS NULL', [open]);
    if (Number(rows[0].n) >= 2) {
      await db.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [open]);
      continue;
    }
    await db.query('UPDATE incident_cases SET left_at = now() WHERE incident_id = $1 AND left_at IS NULL', [open]);
    await db.query(`UPDATE incidents SET status = 'closed', closed_at = now(), updated_at = now() WHERE id = $1`, [open]);
  }
}

/** Whether a case's links were ever recorded (it joined its incidents once). */
export async function hasCaseLinks(db: Db, caseId: string): Promise<boolean> {
  const linked = await db.query('SELECT 1 FROM case_links WHERE case_id = $1 LIMIT 1', [caseId]);
  return Boolean(linked.rowCount);
}
