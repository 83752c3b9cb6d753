import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import type { CaseState } from '../../src/domain';
import { listAudit, verifyAuditChains } from '../../src/store/audit-repo';
import { createPool } from '../../src/store/db';
import { adjustmentsFor, reportDiscrepancy, seedBalance } from '../support/cases';
import { eventually, uniq } from '../support/engine';
import { exited, spawnWorker, stopWorker } from '../support/worker-process';

it('a worker killed after the ledger commit but before its task completes: exactly one adjustment after restart, decided on the stock as read before it', async () => {
  const config = loadConfig();
  const db = createPool(config.DATABASE_URL, 2);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection });
  const taskQueue = uniq('crash');
  const marker = join(mkdtempSync(join(tmpdir(), 'reckon-crash-')), 'fired');
  const env = { TEMPORAL_TASK_QUEUE: taskQueue, DATABASE_URL: config.DATABASE_URL, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS };
  const site = uniq('S');
  const sku = uniq('SKU');
  await seedBalance(db, { site, location: 'B-02-01', sku, wms: 40, erp: 40 });

  const doomed = spawnWorker({ ...env, RECKON_FAULT: 'after_adjustment_commit', RECKON_FAULT_MARKER: marker });
  let survivor: ReturnType<typeof spawnWorker> | undefined;
  try {
    const handle = await reportDiscrepancy(client, taskQueue, {
      kind: 'count_variance', site, sku, location: 'B-02-01', expectedQty: 40, observedQty: 38,
      unitCost: 3, skuClass: 'C', source: 'wms', causedBy: ['counter7'],
    });
    // the worker is gone (how the OS reports its end varies under load: a signal, or an exit code)
    await exited(doomed);
    expect(existsSync(marker)).toBe(true);
    // the ledger committed; the workflow does not know yet
    expect(await adjustmentsFor(db, site, sku)).toHaveLength(1);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    survivor = spawnWorker(env);
    const final = (await handle.result()) as CaseState;
    expect(final.resolution).toBe('auto_resolved');
    const adjustments = await adjustmentsFor(db, site, sku);
    expect(adjustments).toEqual([{ qty: -2, actor: 'rule:count_within_tolerance', idempotencyKey: `${final.caseId}:adjust` }]);
    // the survivor ran the task again on what the first attempt wrote on (kept before the write),
    // not on the stock the write had moved (38)
    expect(final.evidence?.wmsBalance).toMatchObject({ qty: 40 });
    const basis = await db.query('SELECT basis FROM write_basis WHERE case_id = $1', [final.caseId]);
    expect(basis.rows).toHaveLength(1);
    expect(basis.rows[0].basis.decision).toMatchObject({ action: 'auto_resolve', adjustQty: -2 });
    const balance = await db.query('SELECT wms_qty FROM ledger.balances WHERE site = $1 AND sku = $2', [site, sku]);
    expect(Number(balance.rows[0].wms_qty)).toBe(38);
    await eventually(async () => (await db.query(`SELECT 1 FROM discrepancies WHERE id = $1 AND status = 'closed'`, [final.caseId])).rowCount);
    // the audit trail tells the same story once: one adjustment, one close, and its chain verifies
    const trail = await listAudit(db, final.caseId);
    expect(trail.filter((e) => e.action === 'adjustment_posted')).toHaveLength(1);
    expect(trail.filter((e) => e.action === 'closed')).toHaveLength(1);
    const chain = await verifyAuditChains(db, final.caseId);
    expect(chain).toMatchObject({ cases: 1, problems: [] });
  } finally {
    await stopWorker(doomed);
    if (survivor) await stopWorker(survivor);
    await connection.close();
    await db.end();
  }
});
