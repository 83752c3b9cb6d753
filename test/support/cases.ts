import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { DiscrepancyReport, workflowIdForKey, type CaseState, type DiscrepancyReportInput } from '../../src/domain';
import { DISCREPANCY_WORKFLOW_TYPE, reportSignal, stateQuery } from '../../src/workflows/messages';
import { eventually } from './engine';

/** Starts (or merges into) a case the way the API does: signal-with-start on the key's workflow id. */
export async function reportDiscrepancy(client: Client, taskQueue: string, input: DiscrepancyReportInput) {
  const report = DiscrepancyReport.parse(input);
  const receivedAt = new Date().toISOString();
  return client.workflow.signalWithStart(DISCREPANCY_WORKFLOW_TYPE, {
    workflowId: workflowIdForKey(report),
    taskQueue,
    args: [{ report, receivedAt }],
    signal: reportSignal,
    signalArgs: [{ report, receivedAt }],
  });
}

/**
 * The case's workflow in one of `statuses`. With `db`, its read-model row too: what the API and
 * the inbox act on. A case moving on its own records its steps with where it comes to rest, so
 * the workflow is there a moment before its row (a case started here, not through the intake,
 * has no row until then).
 */
export async function waitForStatus(
  client: Client,
  workflowId: string,
  statuses: CaseState['status'][],
  timeoutMs = 30_000,
  db?: Pick<Pool, 'query'>,
): Promise<CaseState> {
  const s = await eventually(async () => {
    const state = await client.workflow.getHandle(workflowId).query(stateQuery, {});
    return statuses.includes(state.status) ? state : undefined;
  }, timeoutMs);
  if (db) await eventually(async () => (await db.query('SELECT 1 FROM discrepancies WHERE id = $1 AND status = ANY($2)', [s.caseId, statuses])).rowCount, timeoutMs);
  return s;
}

export async function seedBalance(db: Pool, b: { site: string; location: string; sku: string; wms: number; erp: number }): Promise<void> {
  await db.query(
    `INSERT INTO ledger.balances (site, location, sku, wms_qty, erp_qty) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (site, location, sku) DO UPDATE SET wms_qty = EXCLUDED.wms_qty, erp_qty = EXCLUDED.erp_qty`,
    [b.site, b.location, b.sku, b.wms, b.erp],
  );
}

export async function adjustmentsFor(db: Pool, site: string, sku: string): Promise<{ qty: number; actor: string; idempotencyKey: string }[]> {
  const { rows } = await db.query('SELECT qty, actor, idempotency_key FROM ledger.adjustments WHERE site = $1 AND sku = $2 ORDER BY created_at', [site, sku]);
  return rows.map((r) => ({ qty: Number(r.qty), actor: r.actor, idempotencyKey: r.idempotency_key }));
}
