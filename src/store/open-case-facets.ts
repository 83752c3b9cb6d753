import type { Pool } from 'pg';
import { keptPerPool } from './kept-per-pool';

/** Open cases counted by every facet the queue filters on: one row per combination. */
export interface FacetRow {
  site: string;
  ownerRole: string | null;
  status: string;
  severity: string | null;
  kind: string;
  breached: boolean;
  n: number;
}

export interface FacetSnapshot {
  /** when it was counted (ms since the epoch) */
  at: number;
  rows: FacetRow[];
}

/** Counts every open case by facet: an index-only scan of discrepancies_open_site_queue. */
export async function countOpenFacets(pool: Pool): Promise<FacetSnapshot> {
  const at = Date.now();
  const { rows } = await pool.query(
    `SELECT site, owner_role, status, severity, kind, breached, count(*)::int AS n
     FROM discrepancies WHERE status <> 'closed'
     GROUP BY site, owner_role, status, severity, kind, breached`,
  );
  return { at, rows: rows.map(facetRow) };
}

/** A row grouped by every facet (site, owner_role, status, severity, kind, breached; n) as a FacetRow. */
export function facetRow(r: Record<string, unknown>): FacetRow {
  return {
    site: r.site as string,
    ownerRole: r.owner_role as string | null,
    status: r.status as string,
    severity: r.severity as string | null,
    kind: r.kind as string,
    breached: r.breached as boolean,
    n: r.n as number,
  };
}

/**
 * The latest snapshot: counted now when there is none, else the one held, recounted in the
 * background once older than `maxAgeMs` (a large read model costs one aggregate per interval,
 * not one per page view).
 */
export const openFacets = keptPerPool(countOpenFacets);
