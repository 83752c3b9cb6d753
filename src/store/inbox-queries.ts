import type { Pool } from 'pg';
import { caseConditions, MATCH_COLUMNS, pageIdsSql, searchConditions, type CaseCursor, type CaseFilter, type CaseSort } from './discrepancy-queries';
import { facetRow, openFacets, type FacetRow } from './open-case-facets';

/** How many open cases each filter value would show, within the person's scope (the queue's counts). */
export interface QueueCounts {
  total: number;
  breached: number;
  mine: number;
  byStatus: Record<string, number>;
  bySeverity: Record<string, number>;
  byKind: Record<string, number>;
  bySite: Record<string, number>;
  /** null: counted for this request; else the figures (all but `mine`) are as of this time */
  estimatedAsOf: string | null;
  /**
   * a free-text search matched more cases than this, so it was not counted (narrow the search);
   * the figures are then the scope's without the search, for the filters' choices only
   */
  searchOver: number | null;
}

export interface CountOptions {
  /** a scope with more open cases than this is answered from the facet snapshot */
  exactUpTo?: number;
  /** how old the facet snapshot may be before it is recounted (in the background) */
  snapshotMaxAgeMs?: number;
}

/** Exact counts stay within a few ms (an index-only scan of this many entries); more is estimated. */
export const EXACT_COUNT_LIMIT = 2_000;
export const SNAPSHOT_MAX_AGE_MS = 30_000;

type Placeholder = (v: unknown) => string;

function placeholders(): { params: unknown[]; p: Placeholder } {
  const params: unknown[] = [];
  return {
    params,
    p: (v) => {
      params.push(v);
      return `$${params.length}`;
    },
  };
}

/** The scope as a test on a facet row; null when the scope filters on something the snapshot lacks. */
function facetTest(scope: CaseFilter): ((r: FacetRow) => boolean) | null {
  const { status, kind, severity, site, visibleSites, ownerRole, ownerRoles, breached, ...rest } = scope;
  if (Object.values(rest).some((v) => v !== undefined)) return null;
  const among = (list: readonly string[] | undefined, v: string | null) => list === undefined || (v !== null && list.includes(v));
  return (r) =>
    among(status, r.status) &&
    among(kind, r.kind) &&
    among(severity, r.severity) &&
    among(site, r.site) &&
    among(visibleSites, r.site) &&
    (ownerRole === undefined || r.ownerRole === ownerRole) &&
    among(ownerRoles, r.ownerRole) &&
    (breached === undefined || r.breached === breached);
}

function fromFacets(rows: FacetRow[]): Omit<QueueCounts, 'mine' | 'estimatedAsOf' | 'searchOver'> {
  const out = { total: 0, breached: 0, byStatus: {} as Record<string, number>, bySeverity: {} as Record<string, number>, byKind: {} as Record<string, number>, bySite: {} as Record<string, number> };
  const add = (m: Record<string, number>, k: string | null, n: number) => {
    if (k !== null) m[k] = (m[k] ?? 0) + n;
  };
  for (const r of rows) {
    out.total += r.n;
    if (r.breached) out.breached += r.n;
    add(out.byStatus, r.status, r.n);
    add(out.bySeverity, r.severity, r.n);
    add(out.byKind, r.kind, r.n);
    add(out.bySite, r.site, r.n);
  }
  return out;
}

/** Open cases in scope assigned to `me`: few, and indexed by assignee. */
async function countMine(pool: Pool, scope: CaseFilter, me: string): Promise<number> {
  const { params, p } = placeholders();
  const where = [`status <> 'closed'`, `assignee = ${p(me)}`, ...caseConditions(scope, p)];
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM discrepancies WHERE ${where.join(' AND ')}`, params);
  return rows[0].n;
}

/**
 * The queue's counts. A scope with few open cases is counted exactly, in one pass grouped by each
 * facet; a larger one (an admin's every site, at a million cases) is read from a snapshot of
 * open cases by facet, at most `snapshotMaxAgeMs` old, and says so (`estimatedAsOf`); a free-text
 * search is counted exactly (the inbox counts its search as it resolves it: countSearch).
 */
export async function countQueue(pool: Pool, scope: CaseFilter, me: string, opts: CountOptions = {}): Promise<QueueCounts> {
  const test = facetTest(scope);
  if (test) {
    const snapshot = await openFacets(pool, opts.snapshotMaxAgeMs ?? SNAPSHOT_MAX_AGE_MS);
    const inScope = snapshot.rows.filter(test);
    const counts = fromFacets(inScope);
    if (counts.total > (opts.exactUpTo ?? EXACT_COUNT_LIMIT)) {
      return { ...counts, mine: await countMine(pool, scope, me), estimatedAsOf: new Date(snapshot.at).toISOString(), searchOver: null };
    }
  }
  return countExactly(pool, scope, me);
}

/**
 * One pass over the open cases in scope (index-only on discrepancies_open_site_queue), grouped once by
 * every facet together: a few hundred groups, folded per facet here (one GROUP BY is several
 * times cheaper than GROUPING SETS, which hash every row once per set).
 */
async function countExactly(pool: Pool, scope: CaseFilter, me: string): Promise<QueueCounts> {
  const { params, p } = placeholders();
  const where = [`status <> 'closed'`, ...caseConditions(scope, p)];
  const { rows } = await pool.query(
    `SELECT site, owner_role, status, severity, kind, breached, count(*)::int AS n,
            count(*) FILTER (WHERE assignee = ${p(me)})::int AS mine
     FROM discrepancies WHERE ${where.join(' AND ')}
     GROUP BY site, owner_role, status, severity, kind, breached`,
    params,
  );
  return { ...fromFacets(rows.map(facetRow)), mine: rows.reduce((m, r) => m + r.mine, 0), estimatedAsOf: null, searchOver: null };
}

/** A search resolved within the queue's scope: the ids of the page asked for and the counts of its open matches. */
export interface CountedSearch {
  /** listCases with these as `matchedIds` answers the page */
  pageIds: string[];
  counts: QueueCounts;
}

/**
 * A free-text search within the queue's scope, resolved, counted and paged in one pass over its
 * matches (the rows the trigram index found are read once, not again by id for the counts and
 * the page), or null when it matches more than `upTo` cases. `search.status` picks the halves of
 * the index (searchConditions); the counts are of open cases, as countQueue's; the page is
 * listCases's for `page`.
 */
export async function countSearch(
  pool: Pool,
  search: CaseFilter & { text: string },
  page: { filter: CaseFilter; sort: CaseSort; limit: number; after?: CaseCursor },
  me: string,
  upTo: number,
): Promise<CountedSearch | null> {
  const { params, p } = placeholders();
  const where = await searchConditions(pool, search, p);
  const { rows } = await pool.query(
    `WITH m AS MATERIALIZED (SELECT ${MATCH_COLUMNS} FROM discrepancies WHERE ${where.join(' AND ')} LIMIT ${upTo + 1}),
     page AS (${pageIdsSql('m', page.filter, page, p)})
     SELECT false AS page, site, owner_role, status, severity, kind, breached, count(*)::int AS n,
            count(*) FILTER (WHERE assignee = ${p(me)})::int AS mine, NULL::text[] AS ids
     FROM m GROUP BY site, owner_role, status, severity, kind, breached
     UNION ALL
     SELECT true, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, array_agg(id) FROM page`,
    params,
  );
  const groups = rows.filter((r) => !r.page);
  if (groups.reduce((n, r) => n + r.n, 0) > upTo) return null;
  const open = groups.filter((r) => r.status !== 'closed');
  return {
    pageIds: rows.find((r) => r.page)?.ids ?? [],
    counts: { ...fromFacets(open.map(facetRow)), mine: open.reduce((m, r) => m + r.mine, 0), estimatedAsOf: null, searchOver: null },
  };
}
