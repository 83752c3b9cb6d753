import type { Pool } from 'pg';

export async function startRun(db: Pool, id: string, site: string): Promise<void> {
  await db.query('INSERT INTO reconciliation_runs (id, site) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, site]);
}

export async function finishRun(db: Pool, id: string, t: { skusCompared: number; differences: number; casesOpened: number }): Promise<void> {
  await db.query('UPDATE reconciliation_runs SET finished_at = now(), skus_compared = $2, differences = $3, cases_opened = $4 WHERE id = $1', [
    id, t.skusCompared, t.differences, t.casesOpened,
  ]);
}

export async function recordDifference(
  db: Pool,
  d: { runId: string; site: string; sku: string; wmsQty: number; erpQty: number; wmsTakenAt: string; erpTakenAt: string; outcome: 'case' | 'already_open' | 'not_reportable'; caseId: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO reconciliation_differences (run_id, site, sku, wms_qty, erp_qty, wms_taken_at, erp_taken_at, outcome, case_id)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (run_id, sku) DO UPDATE SET outcome = EXCLUDED.outcome, case_id = EXCLUDED.case_id`,
    [d.runId, d.site, d.sku, d.wmsQty, d.erpQty, d.wmsTakenAt, d.erpTakenAt, d.outcome, d.caseId],
  );
}

/** An open WMS/ERP mismatch case for the sku at the site, at any bin (the reconciliation's dedupe). */
export async function openMismatchCase(db: Pool, site: string, sku: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM discrepancies WHERE kind = 'system_mismatch' AND site = $1 AND sku = $2 AND status <> 'closed' ORDER BY opened_at LIMIT 1`,
    [site, sku],
  );
  return rows[0]?.id ?? null;
}
