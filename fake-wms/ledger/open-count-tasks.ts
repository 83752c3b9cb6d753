import type { Pool } from 'pg';

/** An open count task as a counter walks to it: zone, then bin. */
export interface OpenCountTask {
  taskId: string;
  site: string;
  zone: string | null;
  location: string | null;
  sku: string;
  reason: string;
  caseId: string;
  createdAt: string;
}

/**
 * Open count tasks of the reference WMS in walking order (zone, then location, then sku), within
 * `sites` (undefined: every site). A real WMS lists its own tasks; this serves the demo stack.
 */
export async function listOpenCountTasks(pool: Pool, sites: string[] | undefined, limit = 200): Promise<OpenCountTask[]> {
  const params: unknown[] = [limit];
  const where = [`t.status = 'open'`];
  if (sites) {
    params.push(sites);
    where.push(`t.site = ANY($2::text[])`);
  }
  const { rows } = await pool.query(
    `SELECT t.id, t.site, l.zone, t.location, t.sku, t.reason, t.case_id, t.created_at
     FROM ledger.count_tasks t LEFT JOIN ledger.locations l ON l.site = t.site AND l.location = t.location
     WHERE ${where.join(' AND ')}
     ORDER BY t.site, l.zone NULLS LAST, t.location NULLS LAST, t.sku, t.id
     LIMIT $1`,
    params,
  );
  return rows.map((r) => ({
    taskId: r.id,
    site: r.site,
    zone: r.zone,
    location: r.location,
    sku: r.sku,
    reason: r.reason,
    caseId: r.case_id,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
