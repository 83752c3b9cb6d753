import type { Pool } from 'pg';
import { caseConditions, type CaseFilter } from './discrepancy-queries';
import { openFacets, type FacetRow } from './open-case-facets';

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
}

export interface CountOptions {
  /** a scope with more open cases than this is answered from the facet snapshot */
  exactUpTo?: number;
  /** how old the facet snapshot may be before it is recounted (in the background) */
  snapshotMaxAgeMs?: number;
}

/** Exact counts stay under ~10 ms (an index-only scan of this many entries); more is estimated. */
export const EXACT_COUNT_LIMIT = 10_000;
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
  const among = (list: string[] | undefined, v: string | null) => list === undefined || (v !== null && list.includes(v));
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

function fromFacets(rows: FacetRow[]): Omit<QueueCounts, 'mine' | 'estimatedAsOf'> {
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
 * search is always counted exactly (its rows come from the trigram index).
 */
export async function countQueue(pool: Pool, scope: CaseFilter, me: string, opts: CountOptions = {}): Promise<QueueCounts> {
  const test = facetTest(scope);
  if (test) {
    const snapshot = await openFacets(pool, opts.snapshotMaxAgeMs ?? SNAPSHOT_MAX_AGE_MS);
    const inScope = snapshot.rows.filter(test);
    const counts = fromFacets(inScope);
    if (counts.total > (opts.exactUpTo ?? EXACT_COUNT_LIMIT)) {
      return { ...counts, mine: await countMine(pool, scope, me), estimatedAsOf: new Date(snapshot.at).toISOString() };
    }
  }
  return countExactly(pool, scope, me);
}

/** One pass over the open cases in scope, grouped by each facet (index-only on discrepancies_open_facets). */
async function countExactly(pool: Pool, scope: CaseFilter, me: string): Promise<QueueCounts> {
  const { params, p } = placeholders();
  const where = [`status <> 'closed'`, ...caseConditions(scope, p)];
  const mine = p(me);
  const { rows } = await pool.query(
    `SELECT status, severity, kind, site, GROUPING(status, severity, kind, site) AS g,
            count(*) AS n, count(*) FILTER (WHERE breached) AS b, count(*) FILTER (WHERE assignee = ${mine}) AS m
     FROM discrepancies WHERE ${where.join(' AND ')}
     GROUP BY GROUPING SETS ((status), (severity), (kind), (site), ())`,
    params,
  );
  const out: QueueCounts = { total: 0, breached: 0, mine: 0, byStatus: {}, bySeverity: {}, byKind: {}, bySite: {}, estimatedAsOf: null };
  for (const r of rows) {
    const n = Number(r.n);
    // GROUPING bits: status 8, severity 4, kind 2, site 1 (a bit set means "not grouped by")
    switch (Number(r.g)) {
      case 15:
        out.total = n;
        out.breached = Number(r.b);
        out.mine = Number(r.m);
        break;
      case 7:
        out.byStatus[r.status] = n;
        break;
      case 11:
        if (r.severity !== null) out.bySeverity[r.severity] = n;
        break;
      case 13:
        out.byKind[r.kind] = n;
        break;
      case 14:
        out.bySite[r.site] = n;
        break;
    }
  }
  return out;
}
