import type { Pool } from 'pg';
import { afterSql, decodeKeyset, encodeKeyset, keysetPage, orderBySql, type Keyset, type KeysetOrder } from './keyset';
import type { LinkKind } from '../triage/links';

/** Read side of incidents (written by incident-membership.ts): pages for GET /v1/incidents, one incident, a case's incidents. */

export interface IncidentFilter {
  site?: string[];
  /** open, closed */
  status?: string[];
  /** link kinds */
  kind?: string[];
  /** the caller's sites; undefined means every site */
  visibleSites?: string[];
}

export interface IncidentCase {
  id: string;
  kind: string;
  sku: string;
  location: string | null;
  status: string;
  valueAtRisk: number;
  triageScore: number | null;
  triageBand: string | null;
  joinedAt: string;
  /** when the case closed (or the incident closed around it); null while it is in the incident */
  leftAt: string | null;
}

export interface Incident {
  id: string;
  site: string;
  link: { kind: LinkKind; key: string };
  status: 'open' | 'closed';
  openedAt: string;
  closedAt: string | null;
  updatedAt: string;
  /** cases in the incident now (an open incident has at least two) */
  openCases: number;
  /** value at risk of the cases in it now; of a closed incident, of every case it held */
  valueAtRisk: number;
  /** the most urgent of those cases by triage priority */
  topPriority: { caseId: string; score: number; band: string | null } | null;
  cases: IncidentCase[];
}

/** Newest first, on (opened_at, id). */
const BY_OPENED: KeysetOrder = { column: 'opened_at', dir: 'DESC', nullable: false, cast: 'timestamptz', maxIdLength: 200 };

/** Where the previous page ended. */
export type IncidentCursor = Keyset;
export const encodeIncidentCursor = (c: IncidentCursor): string => encodeKeyset(BY_OPENED, c);
export const decodeIncidentCursor = (text: string): IncidentCursor | null => decodeKeyset(BY_OPENED, text);

interface IncidentRow {
  id: string;
  site: string;
  link_kind: LinkKind;
  link_key: string;
  status: 'open' | 'closed';
  opened_at: Date;
  opened_text: string;
  closed_at: Date | null;
  updated_at: Date;
}

interface MemberRow {
  incident_id: string;
  case_id: string;
  kind: string;
  sku: string;
  location: string | null;
  status: string;
  value_at_risk: string;
  triage_score: string | null;
  triage_band: string | null;
  joined_at: Date;
  left_at: Date | null;
}

const INCIDENT_COLUMNS = `id, site, link_kind, link_key, status, opened_at, closed_at, updated_at,
  to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS opened_text`;

/** One grouped read of the members of every incident on a page: primary-key lookups into the read model. */
async function withMembers(pool: Pool, rows: IncidentRow[]): Promise<Incident[]> {
  if (rows.length === 0) return [];
  const { rows: members } = await pool.query<MemberRow>(
    `SELECT ic.incident_id, ic.case_id, d.kind, d.sku, d.location, d.status, d.value_at_risk, d.triage_score, d.triage_band,
            ic.joined_at, ic.left_at
     FROM incident_cases ic JOIN discrepancies d ON d.id = ic.case_id
     WHERE ic.incident_id = ANY($1::text[])
     ORDER BY ic.incident_id, d.triage_score DESC NULLS LAST, ic.case_id`,
    [rows.map((r) => r.id)],
  );
  const byIncident = new Map<string, MemberRow[]>();
  for (const m of members) byIncident.set(m.incident_id, [...(byIncident.get(m.incident_id) ?? []), m]);
  return rows.map((r) => toIncident(r, byIncident.get(r.id) ?? []));
}

function toIncident(r: IncidentRow, members: MemberRow[]): Incident {
  const current = members.filter((m) => m.left_at === null);
  const counted = r.status === 'open' ? current : members;
  let top: Incident['topPriority'] = null;
  for (const m of counted) {
    if (m.triage_score === null) continue;
    const score = Number(m.triage_score);
    if (!top || score > top.score) top = { caseId: m.case_id, score, band: m.triage_band };
  }
  const value = counted.reduce((sum, m) => sum + Number(m.value_at_risk), 0);
  return {
    id: r.id,
    site: r.site,
    link: { kind: r.link_kind, key: r.link_key },
    status: r.status,
    openedAt: r.opened_at.toISOString(),
    closedAt: r.closed_at ? r.closed_at.toISOString() : null,
    updatedAt: r.updated_at.toISOString(),
    openCases: current.length,
    valueAtRisk: Math.round(value * 100) / 100,
    topPriority: top,
    cases: members.map((m) => ({
      id: m.case_id,
      kind: m.kind,
      sku: m.sku,
      location: m.location,
      status: m.status,
      valueAtRisk: Number(m.value_at_risk),
      triageScore: m.triage_score === null ? null : Number(m.triage_score),
      triageBand: m.triage_band,
      joinedAt: m.joined_at.toISOString(),
      leftAt: m.left_at ? m.left_at.toISOString() : null,
    })),
  };
}

/** One page, newest incident first, keyset-paginated on (opened_at, id). */
export async function listIncidents(
  pool: Pool,
  filter: IncidentFilter,
  page: { limit: number; after?: IncidentCursor },
): Promise<{ items: Incident[]; next: IncidentCursor | null }> {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (filter.status) where.push(`status = ANY(${p(filter.status)}::text[])`);
  if (filter.site) where.push(`site = ANY(${p(filter.site)}::text[])`);
  if (filter.visibleSites) where.push(`site = ANY(${p(filter.visibleSites)}::text[])`);
  if (filter.kind) where.push(`link_kind = ANY(${p(filter.kind)}::text[])`);
  if (page.after) where.push(afterSql(BY_OPENED, page.after, p));
  const { rows } = await pool.query<IncidentRow>(
    `SELECT ${INCIDENT_COLUMNS} FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ${orderBySql(BY_OPENED)} LIMIT ${p(page.limit + 1)}`,
    params,
  );
  const { rows: pageRows, next } = keysetPage(rows.map((r) => ({ ...r, sort_value: r.opened_text })), page.limit);
  return { items: await withMembers(pool, pageRows), next };
}

export async function getIncident(pool: Pool, id: string): Promise<Incident | null> {
  const { rows } = await pool.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`, [id]);
  return rows.length ? (await withMembers(pool, rows))[0] : null;
}

export interface CaseIncident {
  id: string;
  link: { kind: LinkKind; key: string };
  status: 'open' | 'closed';
  joinedAt: string;
  leftAt: string | null;
}

export async function incidentsOfCase(pool: Pool, caseId: string): Promise<CaseIncident[]> {
  const { rows } = await pool.query<{ id: string; link_kind: LinkKind; link_key: string; status: 'open' | 'closed'; joined_at: Date; left_at: Date | null }>(
    `SELECT i.id, i.link_kind, i.link_key, i.status, ic.joined_at, ic.left_at
     FROM incident_cases ic JOIN incidents i ON i.id = ic.incident_id
     WHERE ic.case_id = $1 ORDER BY ic.joined_at, i.id`,
    [caseId],
  );
  return rows.map((r) => ({
    id: r.id,
    link: { kind: r.link_kind, key: r.link_key },
    status: r.status,
    joinedAt: r.joined_at.toISOString(),
    leftAt: r.left_at ? r.left_at.toISOString() : null,
  }));
}
