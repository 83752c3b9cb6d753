import type { Pool } from 'pg';
import { caseConditions, type CaseFilter } from './discrepancy-queries';

/** How many open cases each filter value would show, within the person's scope (the queue's counts). */
export interface QueueCounts {
  total: number;
  breached: number;
  mine: number;
  byStatus: Record<string, number>;
  bySeverity: Record<string, number>;
  byKind: Record<string, number>;
  bySite: Record<string, number>;
}

/**
 * One pass over the open cases in scope (partial indexes on status <> 'closed' keep it cheap),
 * grouped by each facet; `scope` is the person's sites, roles and search, not the facet choices.
 */
export async function countQueue(pool: Pool, scope: CaseFilter, me: string): Promise<QueueCounts> {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [`status <> 'closed'`, ...caseConditions(scope, p)];
  const mine = p(me);
  const { rows } = await pool.query(
    `SELECT status, severity, kind, site, GROUPING(status, severity, kind, site) AS g,
            count(*) AS n, count(*) FILTER (WHERE breached) AS b, count(*) FILTER (WHERE assignee = ${mine}) AS m
     FROM discrepancies WHERE ${where.join(' AND ')}
     GROUP BY GROUPING SETS ((status), (severity), (kind), (site), ())`,
    params,
  );
  const out: QueueCounts = { total: 0, breached: 0, mine: 0, byStatus: {}, bySeverity: {}, byKind: {}, bySite: {} };
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
