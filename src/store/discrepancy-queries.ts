import type { Pool } from 'pg';
import { withTransaction } from './db';
import { FIELD_SEPARATOR, gramsSql, indexGrams, searchSample } from './search-sample';
import { CASE_ROW_TYPES, LIST_COLUMNS, QUEUE_COLUMNS, toCase, toQueueRow, type CaseRow, type CaseDetailRow, type DbRow, type QueueDbRow, type QueueRow } from './case-rows';
import { afterSql, decodeKeyset, encodeKeyset, keysetPage, orderBySql, sortValueSql, type Keyset, type KeysetOrder } from './keyset';

/** Read-model queries for the API's queue and case pages (the read model is written by case-projection). */

export type { CaseRow, CaseDetailRow, QueueRow } from './case-rows';

/** `priority`: triage priority, most urgent first; `-priority`: the scorer's 0–100 priority, highest first. */
export const CASE_SORTS = ['-openedAt', 'openedAt', '-valueAtRisk', 'slaDeadline', '-priority', 'priority'] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

/** Each sort as a keyset order (the sort's name rides in the cursor). */
const SORTS: Record<CaseSort, KeysetOrder> = {
  '-openedAt': { column: 'opened_at', dir: 'DESC', nullable: false, cast: 'timestamptz', maxIdLength: 128, tag: '-openedAt' },
  openedAt: { column: 'opened_at', dir: 'ASC', nullable: false, cast: 'timestamptz', maxIdLength: 128, tag: 'openedAt' },
  '-valueAtRisk': { column: 'value_at_risk', dir: 'DESC', nullable: false, cast: 'numeric', maxIdLength: 128, tag: '-valueAtRisk' },
  slaDeadline: { column: 'sla_deadline', dir: 'ASC', nullable: true, cast: 'timestamptz', maxIdLength: 128, tag: 'slaDeadline' },
  '-priority': { column: 'priority', dir: 'DESC', nullable: true, cast: 'integer', maxIdLength: 128, tag: '-priority' },
  priority: { column: 'triage_score', dir: 'DESC', nullable: true, cast: 'numeric', maxIdLength: 128, tag: 'priority' },
};

export interface CaseFilter {
  status?: readonly string[];
  kind?: string[];
  severity?: string[];
  site?: string[];
  sku?: string;
  ownerRole?: string;
  assignee?: string;
  breached?: boolean;
  /** shadow-mode cases only (true) or acting cases only (false) */
  shadow?: boolean;
  /** triage bands, P1–P4 */
  band?: string[];
  /** the caller's sites; undefined means every site */
  visibleSites?: string[];
  /** cases owned by any of these roles (the inbox: what the person's roles may act on) */
  ownerRoles?: string[];
  /**
   * free text: part of the sku, location, case id, workflow id or reference id, or a source event
   * id. For a broad search only (matches met early in the sort's index, which listCases walks);
   * resolve a search first (countSearch: the page's `matchedIds` and the counts), as the inbox does.
   */
  text?: string;
  /** only these cases: the page a free-text search resolved to (countSearch) */
  matchedIds?: string[];
}

/**
 * `column` is one of `values`. One value is written as `=`: Postgres 15 reads `= ANY` of one
 * element as a list, and then cannot walk an index in the sort's order after it.
 */
function oneOf(column: string, values: readonly string[], p: (v: unknown) => string): string {
  return values.length === 1 ? `${column} = ${p(values[0])}` : `${column} = ANY(${p(values)}::text[])`;
}

/**
 * What a free-text search matches: a part of one field (sku, location, case id, workflow id,
 * reference id) in any case, or a source event id whole. The trigram index on `search_grams`
 * (migrations/190) finds the candidates: by the whole text, or by `narrowBy`, its rarest trigrams
 * (search-sample.ts). `search_text` decides: the fields in lower case, apart by FIELD_SEPARATOR. The
 * index is split into open and closed cases: a search among open cases (the inbox's default)
 * reads only the open half.
 */
function searchMatches(text: string, status: readonly string[] | undefined, p: (v: unknown) => string, narrowBy: string[] = []): string {
  const exact = p(text);
  // LIKE finds the candidates in the index (the grams hold no wildcard); strpos, which no index
  // answers, decides them: the text within one field, wildcards taken literally
  const candidates = () =>
    narrowBy.length > 0 ? narrowBy.map((g) => `search_grams LIKE ${p(`%${g}%`)}`) : [`search_grams LIKE '%' || ${gramsSql(exact)} || '%'`];
  const matches = text.includes(FIELD_SEPARATOR) ? 'false' : `${candidates().join(' AND ')} AND strpos(search_text, lower(${exact})) > 0`;
  const open = status !== undefined && !status.includes('closed');
  const closed = status !== undefined && status.every((s) => s === 'closed');
  // each half is named by its index's own predicate, so the planner may use that index
  const halves = [...(closed ? [] : [`(status <> 'closed' AND ${matches})`]), ...(open ? [] : [`(status = 'closed' AND ${matches})`])];
  return `(${halves.join(' OR ') || 'false'} OR source_event_ids @> ARRAY[${exact}]::text[])`;
}

/**
 * The WHERE conditions of a search resolved within `filter` (a superset as to statuses: open,
 * closed or both), the trigram index asked for the text's rarest trigrams (search-sample.ts). A
 * broader search than the inbox counts stays text (caseConditions); its page walks the sort's
 * index, where matches are dense.
 */
export async function searchConditions(pool: Pool, filter: CaseFilter & { text: string }, p: (v: unknown) => string): Promise<string[]> {
  const narrowBy = indexGrams(filter.text, await searchSample(pool));
  // the statuses only pick the halves of the trigram index: a status list here would be ANDed as
  // a bitmap of every open case (55 ms at 1M); the ids are filtered by status where they are used
  return [searchMatches(filter.text, filter.status, p, narrowBy), ...caseConditions({ ...filter, text: undefined, status: undefined }, p)];
}

/** The WHERE conditions of a filter; `p` adds a parameter and returns its placeholder. */
export function caseConditions(filter: CaseFilter, p: (v: unknown) => string): string[] {
  const where: string[] = [];
  if (filter.status) where.push(oneOf('status', filter.status, p));
  if (filter.kind) where.push(oneOf('kind', filter.kind, p));
  if (filter.severity) where.push(oneOf('severity', filter.severity, p));
  if (filter.site) where.push(oneOf('site', filter.site, p));
  if (filter.visibleSites) where.push(oneOf('site', filter.visibleSites, p));
  if (filter.sku !== undefined) where.push(`sku = ${p(filter.sku)}`);
  if (filter.ownerRole !== undefined) where.push(`owner_role = ${p(filter.ownerRole)}`);
  if (filter.ownerRoles) where.push(oneOf('owner_role', filter.ownerRoles, p));
  if (filter.assignee !== undefined) where.push(`assignee = ${p(filter.assignee)}`);
  if (filter.breached !== undefined) where.push(`breached = ${p(filter.breached)}`);
  if (filter.shadow !== undefined) where.push(`shadow = ${p(filter.shadow)}`);
  if (filter.band) where.push(oneOf('triage_band', filter.band, p));
  if (filter.matchedIds) where.push(`id = ANY(${p(filter.matchedIds)}::text[])`);
  // a search not resolved to ids (a broad one): a condition on the rows the page walks
  if (filter.text !== undefined) where.push(searchMatches(filter.text, filter.status, p));
  return where;
}

/** Where the previous page ended, for a sort. */
export interface CaseCursor extends Keyset {
  sort: CaseSort;
}

export function encodeCursor(c: CaseCursor): string {
  return encodeKeyset(SORTS[c.sort], c);
}

/** null when the text is not a cursor this API issued for this sort. */
export function decodeCursor(text: string, sort: CaseSort): CaseCursor | null {
  const k = decodeKeyset(SORTS[sort], text);
  return k && { sort, ...k };
}

/** Sorts with an index per site over open cases (migrations/150: discrepancies_open_site_queue). */
const PER_SITE_SORTS: ReadonlySet<CaseSort> = new Set(['slaDeadline']);
const MAX_PER_SITE_WALK = 16;

/** The filter with its two site lists (chosen, visible) as one: their intersection. */
function oneSiteList(filter: CaseFilter): CaseFilter {
  const { site, visibleSites } = filter;
  if (site === undefined || visibleSites === undefined) return filter;
  return { ...filter, site: site.filter((s) => visibleSites.includes(s)), visibleSites: undefined };
}

/**
 * The sites to page one by one: open cases only, a sort indexed per site, 2–16 sites, and no
 * assignee (an assignee's few cases come from their own index, discrepancies_open_assignee).
 */
function perSiteWalk(filter: CaseFilter, sort: CaseSort): string[] | null {
  const sites = filter.site ?? filter.visibleSites;
  const openOnly = filter.status !== undefined && filter.status.length > 0 && !filter.status.includes('closed');
  const walk = openOnly && filter.assignee === undefined && PER_SITE_SORTS.has(sort);
  return walk && sites && sites.length > 1 && sites.length <= MAX_PER_SITE_WALK ? sites : null;
}

/**
 * A broad search among open cases (one countSearch found too many matches for): Postgres takes
 * a trigram match for rare, and would gather every match by bitmap and sort them (80–150 ms for
 * an approver's two sites at 1M, or a parallel walk that overshoots). Its matches are dense, so
 * the page walks the sort's index and filters: a few hundred rows. Closed cases have no SLA order
 * to walk: left to the planner.
 */
const WALK_THE_SORT_INDEX = `SELECT set_config('enable_bitmapscan', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`;
const walksForBroadSearch = (f: CaseFilter) => f.text !== undefined && f.status !== undefined && !f.status.includes('closed');

/** The columns a search's matches are kept with (countSearch): what the queue's filters and sorts read. */
export const MATCH_COLUMNS = `id, site, owner_role, status, severity, kind, breached, assignee, sku, shadow, triage_band,
  sla_deadline, opened_at, value_at_risk, priority, triage_score`;

/**
 * The ids of a page (the filter, the cursor, the sort, limit + 1 rows: listCases's) among rows of
 * MATCH_COLUMNS named `from`. listCases given these ids as `matchedIds` answers that page.
 */
export function pageIdsSql(from: string, filter: CaseFilter, page: { sort: CaseSort; limit: number; after?: CaseCursor }, p: (v: unknown) => string): string {
  const order = SORTS[page.sort];
  const where = caseConditions({ ...filter, text: undefined, matchedIds: undefined }, p);
  if (page.after) where.push(afterSql(order, page.after, p));
  return `SELECT id FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${orderBySql(order)} LIMIT ${page.limit + 1}`;
}

/** A page's rows as read, and where the next page starts. */
interface ReadPage<R> {
  rows: R[];
  next: CaseCursor | null;
}

/**
 * One page of `columns` (which hold the sort's column), keyset-paginated on (sort column, id) so
 * ties never repeat or vanish; timestamps read as ISO text (CASE_ROW_TYPES).
 */
async function readPage<R extends { id: string; sort_value?: string | null }>(
  pool: Pool,
  columns: string,
  filter: CaseFilter,
  page: { sort: CaseSort; limit: number; after?: CaseCursor },
): Promise<ReadPage<R>> {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const narrowed = oneSiteList(filter);
  const sites = perSiteWalk(narrowed, page.sort);
  // walking the sites one by one, each branch has its one site instead of the list
  const where = caseConditions(sites ? { ...narrowed, site: undefined, visibleSites: undefined } : narrowed, p);

  const order = SORTS[page.sort];
  if (page.after) where.push(afterSql(order, page.after, p));
  const limit = p(page.limit + 1);
  const pageSql = (conditions: string[]) => `SELECT ${columns}, ${sortValueSql(order)} AS sort_value FROM discrepancies
    ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
    ${orderBySql(order)}
    LIMIT ${limit}`;
  // a few sites: each site's page from its own index, merged (Postgres 15 cannot walk one index
  // in the sort's order across a list of sites: it would fetch every open case of them and sort)
  const sql = sites
    ? `SELECT d.* FROM unnest(${p(sites)}::text[]) AS s(site) CROSS JOIN LATERAL (${pageSql([...where, 'discrepancies.site = s.site'])}) d
       ${orderBySql(order)} LIMIT ${limit}`
    : pageSql(where);
  const query = { text: sql, values: params, types: CASE_ROW_TYPES };
  const { rows } = walksForBroadSearch(filter)
    ? await withTransaction(pool, async (c) => {
        await c.query(WALK_THE_SORT_INDEX);
        return c.query<R>(query);
      })
    : await pool.query<R>(query);
  const { rows: pageRows, next } = keysetPage(rows, page.limit);
  return { rows: pageRows, next: next && { sort: page.sort, ...next } };
}

/** One page of whole cases (the API's list, the case page's related cases). */
export async function listCases(
  pool: Pool,
  filter: CaseFilter,
  page: { sort: CaseSort; limit: number; after?: CaseCursor },
): Promise<{ items: CaseRow[]; next: CaseCursor | null }> {
  const { rows, next } = await readPage<DbRow>(pool, LIST_COLUMNS, filter, page);
  return { items: rows.map(toCase), next };
}

/** One page of the inbox's queue, by SLA left: only what its rows show (QueueRow). */
export async function listQueue(
  pool: Pool,
  filter: CaseFilter,
  page: { sort: 'slaDeadline'; limit: number; after?: CaseCursor },
): Promise<{ items: QueueRow[]; next: CaseCursor | null }> {
  const { rows, next } = await readPage<QueueDbRow>(pool, QUEUE_COLUMNS, filter, page);
  return { items: rows.map(toQueueRow), next };
}

export async function getCase(pool: Pool, id: string): Promise<CaseDetailRow | null> {
  const { rows } = await pool.query<DbRow>({ text: 'SELECT * FROM discrepancies WHERE id = $1', values: [id], types: CASE_ROW_TYPES });
  if (!rows.length) return null;
  const r = rows[0] as DbRow & { state?: Record<string, unknown> | null; source_event_count?: number | null };
  return {
    ...toCase(r),
    score: r.score,
    evidence: r.evidence,
    decision: r.decision,
    state: r.state ?? null,
    sourceEventCount: r.source_event_count ?? r.source_event_ids.length,
  };
}

/** The case a workflow id currently stands for: its newest row that is not closed. */
export async function findOpenCaseId(pool: Pool, workflowId: string): Promise<string | null> {
  const { rows } = await pool.query(
    `SELECT id FROM discrepancies WHERE workflow_id = $1 AND status <> 'closed' ORDER BY opened_at DESC LIMIT 1`,
    [workflowId],
  );
  return rows.length ? rows[0].id : null;
}

/** What the API needs to route an action to a case, without the heavy columns. */
export interface CaseRef {
  id: string;
  workflowId: string;
  site: string;
  status: string;
  kind: string;
  /** 0 until the case has pinned its policy */
  policyVersion: number;
}

export async function getCaseRef(pool: Pool, id: string): Promise<CaseRef | null> {
  const { rows } = await pool.query('SELECT id, workflow_id, site, status, kind, policy_version FROM discrepancies WHERE id = $1', [id]);
  return rows.length
    ? { id: rows[0].id, workflowId: rows[0].workflow_id, site: rows[0].site, status: rows[0].status, kind: rows[0].kind, policyVersion: Number(rows[0].policy_version ?? 0) }
    : null;
}

export interface CaseSharingEvents {
  id: string;
  status: string;
  resolution: string | null;
  source_event_ids: string[];
}

/** Other cases under the same dedupe key that handled any of these source events, newest first (at most 10). */
export async function casesSharingSourceEvents(pool: Pick<Pool, 'query'>, q: { dedupeKey: string; caseId: string; sourceEventIds: string[] }): Promise<CaseSharingEvents[]> {
  const { rows } = await pool.query<CaseSharingEvents>({
    name: 'cases-sharing-events',
    text: `SELECT id, status, resolution, source_event_ids FROM discrepancies
         WHERE dedupe_key = $1 AND id <> $2 AND source_event_ids && $3::text[]
         ORDER BY opened_at DESC LIMIT 10`,
    values: [q.dedupeKey, q.caseId, q.sourceEventIds],
  });
  return rows;
}
