import type { WorkflowHandle } from '@temporalio/client';
import type { Pool } from 'pg';
import { EVIDENCE_SOURCES } from '../../src/domain';
import { loadConfig } from '../../src/config';
import { createPool } from '../../src/store/db';
import { stateQuery } from '../../src/workflows/messages';
import { startApi, type Api, type Persona } from '../support/api';
import { adjustmentsFor, reportDiscrepancy, seedBalance, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { startLedgerRemote, type LedgerRemote } from './servers';

/**
 * A real engine with ADAPTER=http, its WMS and ERP being the reference ledger served on a
 * loopback port that the tests take down and bring back on the same port.
 */
let pool: Pool;
let remote: LedgerRemote;
let engine: Engine;
let api: Api;
/** the test's seam right after the ledger commits an adjustment, before the answer goes out */
let onCommit: ((adjustmentId: string) => void) | undefined;

beforeAll(async () => {
  pool = createPool(loadConfig().DATABASE_URL, 5);
  remote = await startLedgerRemote(pool, { onAdjustmentCommitted: (id) => onCommit?.(id) });
  engine = await startEngine({
    ADAPTER: 'http',
    WMS_HTTP_URL: remote.wmsUrl,
    ERP_HTTP_URL: remote.erpUrl,
    ADAPTER_HTTP_API_KEY: remote.apiKey,
    ADAPTER_HTTP_TIMEOUT_MS: 2000,
    ADAPTER_CIRCUIT_FAILURES: 3,
    ADAPTER_CIRCUIT_RESET_MS: 1000,
  });
  api = await startApi(engine);
});
afterAll(async () => {
  await api?.stop();
  await engine?.stop();
  await remote?.stop();
  await pool?.end();
});

const wms: Persona = { userId: 'wms-integration', roles: ['integration'], sites: ['*'] };

/** 2 of 120 short at 10 each: inside class B tolerance, so the rule posts the adjustment itself. */
async function countVarianceInsideTolerance(): Promise<{ site: string; sku: string; handle: WorkflowHandle }> {
  const site = uniq('RS');
  const sku = uniq('SKU');
  await seedBalance(pool, { site, location: 'A-01-03', sku, wms: 120, erp: 120 });
  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'count_variance', site, sku, location: 'A-01-03', expectedQty: 120, observedQty: 118,
    unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds: [uniq('CNT')], causedBy: ['counter1'],
  });
  return { site, sku, handle };
}

/**
 * What each of the case's first `gatherings` evidence gatherings could not get, from its audit
 * trail. The trail is written with the transition that follows the gathering, a moment after the
 * workflow's own state has moved on: wait for it.
 */
async function missingEvidence(caseId: string, gatherings: number): Promise<string[][]> {
  return eventually(async () => {
    const { rows } = await pool.query(`SELECT detail FROM audit_log WHERE case_id = $1 AND action = 'evidence_gathered' ORDER BY seq`, [caseId]);
    return rows.length >= gatherings ? rows.map((r) => r.detail.missing as string[]) : undefined;
  });
}

/** Waits until the activity has failed at least once and Temporal is retrying it. */
async function retrying(handle: WorkflowHandle, activity: string): Promise<{ attempt: number; lastFailure: string }> {
  return eventually(async () => {
    const { raw } = await handle.describe();
    const pending = raw.pendingActivities?.find((a) => a.activityType?.name === activity);
    return pending && (pending.attempt ?? 0) >= 2 ? { attempt: pending.attempt!, lastFailure: pending.lastFailure?.message ?? '' } : undefined;
  }, 60_000, 250);
}

it('remote down from the start: evidence is recorded missing, the count task write retries, and once the remote is back the case closes with one adjustment', async () => {
  await remote.stop();
  const { site, sku, handle } = await countVarianceInsideTolerance();

  // without WMS/ERP evidence the scorer is not sure enough to adjust: the policy recounts
  const waiting = await waitForStatus(engine.client, handle.workflowId, ['awaiting_recount'], 60_000);
  const remoteSources = EVIDENCE_SOURCES.filter((s) => s !== 'priorCases');
  expect((await missingEvidence(waiting.caseId, 1))[0].sort()).toEqual([...remoteSources].sort());
  const { lastFailure } = await retrying(handle, 'createCountTask');
  expect(lastFailure).toMatch(/wms: (circuit open|.*unreachable)/);
  expect(await pool.query('SELECT 1 FROM ledger.count_tasks WHERE case_id = $1', [waiting.caseId]).then((r) => r.rowCount)).toBe(0);

  await remote.start();
  const task = await eventually(async () => (await pool.query(`SELECT id FROM ledger.count_tasks WHERE case_id = $1`, [waiting.caseId])).rows[0], 60_000);
  const counted = await (await api.as(wms)).post('/v1/counts', { taskId: task.id, countedQty: 118, countedBy: 'counter2' });
  expect(counted.status).toBe(202);

  const closed = await waitForStatus(engine.client, handle.workflowId, ['closed'], 60_000);
  expect(closed.resolution).toBe('auto_resolved');
  expect((await missingEvidence(closed.caseId, 2))[1]).toEqual([]);
  expect(await adjustmentsFor(pool, site, sku)).toEqual([{ qty: -2, actor: 'rule:count_within_tolerance', idempotencyKey: `${closed.caseId}:adjust` }]);
  expect((await pool.query('SELECT count(*)::int AS n FROM ledger.count_tasks WHERE case_id = $1', [closed.caseId])).rows[0].n).toBe(1);
});

it('remote drops right after committing the adjustment: the write retries with its key and lands exactly once', async () => {
  let committed: string | undefined;
  onCommit = (id) => {
    onCommit = undefined;
    committed = id;
    // the commit is in, the answer is not: the remote goes away with the request in flight
    void remote.stop();
  };
  const { site, sku, handle } = await countVarianceInsideTolerance();

  const { lastFailure } = await retrying(handle, 'postAdjustment');
  expect(lastFailure).toMatch(/^wms: /);
  expect(committed).toBeDefined();
  expect((await handle.query(stateQuery, {})).status).toBe('auto_resolving');

  await remote.start();
  const closed = await waitForStatus(engine.client, handle.workflowId, ['closed'], 60_000);
  expect(closed.resolution).toBe('auto_resolved');
  expect(closed.adjustment?.adjustmentId).toBe(committed);
  expect(await adjustmentsFor(pool, site, sku)).toEqual([{ qty: -2, actor: 'rule:count_within_tolerance', idempotencyKey: `${closed.caseId}:adjust` }]);
  const balance = await pool.query('SELECT wms_qty::int AS wms, erp_qty::int AS erp FROM ledger.balances WHERE site = $1 AND sku = $2', [site, sku]);
  expect(balance.rows[0]).toEqual({ wms: 118, erp: 118 });
  const sent = remote.requests.filter((r) => r.path === '/wms/adjustments' && r.idempotencyKey?.startsWith(closed.caseId));
  expect(sent.length).toBeGreaterThanOrEqual(2);
  expect(new Set(sent.map((r) => r.idempotencyKey))).toEqual(new Set([`${closed.caseId}:adjust`]));
});
