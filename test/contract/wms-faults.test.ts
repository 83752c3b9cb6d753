import type { Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { verifyAuditChains } from '../../src/store/audit-repo';
import { createPool } from '../../src/store/db';
import type { CaseState } from '../../src/domain';
import { adjustmentsFor, reportDiscrepancy, seedBalance, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { startLedgerRemote, type LedgerRemote } from './servers';

/**
 * Faults of the WMS behind the http adapter (ADAPTER=http), the reference ledger served over
 * HTTP as the fake: adjustments answered too slowly (the adapter times out, though the write
 * went through), then 5xx bursts. The circuit opens, the cases wait, and once the WMS is well
 * every case closes with exactly one adjustment.
 */
const TIMEOUT_MS = 2000;
let pool: Pool;
let remote: LedgerRemote;
let engine: Engine;

beforeAll(async () => {
  pool = createPool(loadConfig().DATABASE_URL, 5);
  remote = await startLedgerRemote(pool);
  engine = await startEngine({
    ADAPTER: 'http',
    WMS_HTTP_URL: remote.wmsUrl,
    ERP_HTTP_URL: remote.erpUrl,
    ADAPTER_HTTP_API_KEY: remote.apiKey,
    ADAPTER_HTTP_TIMEOUT_MS: TIMEOUT_MS,
    ADAPTER_CIRCUIT_FAILURES: 3,
    ADAPTER_CIRCUIT_RESET_MS: 1500,
  });
});
afterAll(async () => {
  await engine?.stop();
  await remote?.stop();
  await pool?.end();
});

const CASES = 8;

/**
 * What the adjustment writes meet, from the first one on: a slow phase, then bursts of 503 with
 * short breaks between, then service. Reads (evidence) are served as usual.
 */
function faultyWms(slowForMs: number, burstsForMs: number) {
  let slowAnswers = 0;
  let refused = 0;
  let firstWrite: number | undefined;
  remote.intercept = ({ method, path }) => {
    if (method !== 'POST' || path !== '/wms/adjustments') return undefined;
    firstWrite ??= Date.now();
    const t = Date.now() - firstWrite;
    if (t < slowForMs) {
      slowAnswers++;
      return { stallMs: TIMEOUT_MS * 2 }; // served, and committed, after the adapter gave up
    }
    // 2 s of 503s, then 0.5 s of service, …
    if (t < slowForMs + burstsForMs && (t - slowForMs) % 2500 < 2000) {
      refused++;
      return { status: 503, detail: 'the WMS is overloaded' };
    }
    return undefined;
  };
  return { counts: () => ({ slowAnswers, refused }), sinceFirstWrite: () => (firstWrite === undefined ? 0 : Date.now() - firstWrite) };
}

it('a WMS answering too slowly, then in 5xx bursts: the circuit opens, cases wait, nothing lost, nothing twice', async () => {
  const site = uniq('WF');
  const planned = await Promise.all(
    Array.from({ length: CASES }, async (_, i) => {
      const sku = uniq('SKU');
      // a bin per case: other open cases at a bin would hold back the automatic adjustment
      const location = `A-${String(i).padStart(2, '0')}-01`;
      await seedBalance(pool, { site, location, sku, wms: 120, erp: 120 });
      return { sku, location, qty: -((i % 3) + 1) };
    }),
  );
  const wms = faultyWms(5000, 10_000);
  const handles = await Promise.all(
    planned.map((p) =>
      reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
        kind: 'count_variance', site, sku: p.sku, location: p.location, expectedQty: 120, observedQty: 120 + p.qty,
        unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds: [uniq('CNT')], causedBy: ['counter1'],
      }),
    ),
  );

  // while the WMS misbehaves the writes fail, the breaker opens, and no case closes
  const openSeen = await eventually(async () => {
    for (const h of handles) {
      const pending = (await h.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'postAdjustment');
      if (pending?.lastFailure?.message?.includes('circuit open')) return pending.lastFailure.message;
    }
    return undefined;
  }, 30_000, 250);
  expect(openSeen).toMatch(/^wms: circuit open/);
  const during = await pool.query(`SELECT count(*)::int AS n FROM discrepancies WHERE site = $1 AND status = 'closed'`, [site]);
  if (wms.sinceFirstWrite() < 12_000) expect(during.rows[0].n).toBe(0);

  const closed: CaseState[] = [];
  for (const h of handles) closed.push(await waitForStatus(engine.client, h.workflowId, ['closed'], 120_000));
  const { slowAnswers, refused } = wms.counts();
  expect(slowAnswers).toBeGreaterThan(0);
  expect(refused).toBeGreaterThan(0);

  for (const [i, c] of closed.entries()) {
    expect(c.resolution).toBe('auto_resolved');
    // exactly one adjustment, under the case's key, however many attempts reached the WMS
    expect(await adjustmentsFor(pool, site, planned[i].sku)).toEqual([{ qty: planned[i].qty, actor: 'rule:count_within_tolerance', idempotencyKey: `${c.caseId}:adjust` }]);
    const balance = await pool.query('SELECT wms_qty::int AS wms FROM ledger.balances WHERE site = $1 AND sku = $2', [site, planned[i].sku]);
    expect(balance.rows[0].wms).toBe(120 + planned[i].qty);
    expect((await verifyAuditChains(pool, c.caseId)).problems).toEqual([]);
    // a write-back whose answer was lost is taken again from the case as it was: one trail, no gap, no second close
    const trail = (await pool.query(`SELECT seq, action, detail->>'adjustmentId' AS "adjustmentId" FROM audit_log WHERE case_id = $1 ORDER BY seq`, [c.caseId])).rows;
    expect(trail.map((e) => e.seq)).toEqual(trail.map((_, k) => k + 1));
    expect(trail.filter((e) => e.action === 'adjustment_posted').map((e) => e.adjustmentId)).toEqual([c.adjustment?.adjustmentId]);
    expect(c.adjustment?.adjustmentId).toMatch(/\S/);
    expect(trail.filter((e) => e.action === 'closed')).toHaveLength(1);
  }
  // the slow phase committed writes whose answers the adapter never saw: they were sent again
  const attempts = remote.requests.filter((r) => r.method === 'POST' && r.path === '/wms/adjustments');
  expect(attempts.length).toBeGreaterThan(CASES);
  expect(new Set(attempts.map((r) => r.idempotencyKey))).toEqual(new Set(closed.map((c) => `${c.caseId}:adjust`)));
});
