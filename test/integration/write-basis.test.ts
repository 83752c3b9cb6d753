import pino from 'pino';
import type { Pool } from 'pg';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../../src/activities/deps';
import { createWriteActivities } from '../../src/activities/writes';
import type { PostAdjustmentCommand, WmsPort } from '../../src/adapters/ports';
import { loadConfig } from '../../src/config';
import { WRITE_BASIS_CHANGED, type CaseState, type WriteBasis } from '../../src/domain';
import { createPool } from '../../src/store/db';
import { keepWriteBasis, keptWriteBasis, WRITE_BASIS_RETENTION_DAYS } from '../../src/store/write-basis';
import { uniq } from '../support/engine';
import { insertCase } from '../api/support';

// What an automatic write was decided on is kept before the write goes out (write_basis): a
// workflow task run again finds it, and a write on another basis for the same run is refused.
let pool: Pool;
beforeAll(() => {
  pool = createPool(loadConfig().DATABASE_URL, 4);
});
afterAll(async () => pool.end());

const basis = (qty: number): WriteBasis =>
  ({
    policyVersion: 7,
    evidence: { missing: [], wmsBalance: { qty: 120 } },
    score: { scorerVersion: 'rules-v1', confidence: 0.9, causes: [], explanation: 'a miscount' },
    decision: { action: 'auto_resolve', rule: 'count_within_tolerance', correction: 'adjust', adjustQty: qty, reason: 'within tolerance' },
  }) as unknown as WriteBasis;

it('the first basis kept for a run stays: a later keep gets it back, and the look-up finds it', async () => {
  const runId = uniq('run');
  expect(await keptWriteBasis(pool, runId)).toBeUndefined();
  expect(await keepWriteBasis(pool, runId, uniq('case'), basis(-2))).toEqual(basis(-2));
  expect(await keepWriteBasis(pool, runId, uniq('case'), basis(-5))).toEqual(basis(-2));
  expect(await keptWriteBasis(pool, runId)).toEqual(basis(-2));
});

it('a basis past its retention is pruned by the keeps that follow', async () => {
  const old = uniq('run-old');
  await keepWriteBasis(pool, old, uniq('case'), basis(-1));
  await pool.query(`UPDATE write_basis SET kept_at = now() - make_interval(days => $2 + 1) WHERE run_id = $1`, [old, WRITE_BASIS_RETENTION_DAYS]);
  const recent = uniq('run-recent');
  await keepWriteBasis(pool, recent, uniq('case'), basis(-1));
  // each keep prunes up to 8 of the oldest: other tests' rows are all younger than the retention
  expect(await keptWriteBasis(pool, old)).toBeUndefined();
  expect(await keptWriteBasis(pool, recent)).toEqual(basis(-1));
});

/** The write activities over Reckon's store and a fake of the WMS's port (it stands outside Reckon) that remembers what it was asked to post. */
function writeActivities() {
  const posted: PostAdjustmentCommand[] = [];
  const wms = {
    postAdjustment: async (cmd: PostAdjustmentCommand) => {
      posted.push(cmd);
      return { adjustmentId: `ADJ-${cmd.idempotencyKey}`, replayed: posted.filter((p) => p.idempotencyKey === cmd.idempotencyKey).length > 1 };
    },
  } as Partial<WmsPort> as WmsPort;
  const writes = () => createWriteActivities({ db: pool, wms, logger: pino({ level: 'silent' }), evidenceLookbackDays: 30 } as Partial<ActivityDeps> as ActivityDeps);
  return { posted, writes };
}

describe('postAutoAdjustment', () => {
  const { posted, writes } = writeActivities();
  const command = (caseId: string): PostAdjustmentCommand => ({
    site: uniq('S'), location: 'A-01-01', sku: uniq('SKU'), qty: -2, target: 'both', reasonCode: 'CYCLE_COUNT', caseId, actor: 'rule:count_within_tolerance', idempotencyKey: `${caseId}:adjust`,
  });

  it('keeps the basis, then posts; the same task run again posts with the same key', async () => {
    const runId = uniq('run');
    const cmd = command(uniq('case'));
    await writes().postAutoAdjustment({ command: cmd, runId, basis: basis(-2) });
    expect(await keptWriteBasis(pool, runId)).toEqual(basis(-2));
    await writes().postAutoAdjustment({ command: cmd, runId, basis: basis(-2) });
    expect(posted.filter((p) => p.caseId === cmd.caseId).map((p) => p.idempotencyKey)).toEqual([cmd.idempotencyKey, cmd.idempotencyKey]);
  });

  it('refuses a write on another basis than the one its run kept first, without asking the WMS', async () => {
    const runId = uniq('run');
    const cmd = command(uniq('case'));
    await keepWriteBasis(pool, runId, cmd.caseId, basis(-2));
    const err = await writes()
      .postAutoAdjustment({ command: { ...cmd, qty: -5 }, runId, basis: basis(-5) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: WRITE_BASIS_CHANGED, nonRetryable: true });
    expect(posted.filter((p) => p.caseId === cmd.caseId)).toEqual([]);
  });
});

describe('postAutoAdjustmentAndClose', () => {
  const { posted, writes } = writeActivities();

  /** A case the workflow has decided to auto-resolve, its stock in Reckon's model, and the close it sends with its write. */
  async function decided() {
    const site = uniq('S');
    const sku = uniq('SKU');
    const opened = await insertCase(pool, { status: 'auto_resolving', seq: 3, report: { site, sku, location: 'A-01-01' } });
    await pool.query('INSERT INTO features.stock (site, location, sku, wms_qty, erp_qty) VALUES ($1, $2, $3, 120, 120)', [site, 'A-01-01', sku]);
    const command: PostAdjustmentCommand = { site, location: 'A-01-01', sku, qty: -2, target: 'both', reasonCode: 'CYCLE_COUNT', caseId: opened.caseId, actor: 'rule:count_within_tolerance', idempotencyKey: `${opened.caseId}:adjust` };
    const at = new Date().toISOString();
    const entry = (seq: number, action: string, detail: Record<string, unknown>) => ({ seq, at, action, actorKind: 'rule' as const, actorId: 'count_within_tolerance', status: 'closed' as const, detail });
    const state: CaseState = {
      ...opened, status: 'closed', resolution: 'auto_resolved', resolutionReason: 'within tolerance', closedAt: at, ownerRole: undefined,
      adjustment: { adjustmentId: '', qty: -2, target: 'both' }, seq: 5,
    };
    const close = { state, entries: [entry(4, 'adjustment_posted', { adjustmentId: '', qty: -2 }), entry(5, 'closed', { resolution: 'auto_resolved' })] };
    return { caseId: opened.caseId, command, input: { command, runId: uniq('run'), basis: basis(-2), close, adjustmentEntrySeq: 4 } };
  }

  const stock = async (c: PostAdjustmentCommand) =>
    (await pool.query('SELECT wms_qty::int, erp_qty::int FROM features.stock WHERE site = $1 AND sku = $2', [c.site, c.sku])).rows[0];
  const audit = async (caseId: string) =>
    (await pool.query("SELECT seq, action, detail->>'adjustmentId' AS adjustment_id FROM audit_log WHERE case_id = $1 ORDER BY seq", [caseId])).rows;

  it("records the close with the WMS's adjustment id and moves Reckon's balances once; run again, nothing lands twice", async () => {
    const { caseId, command, input } = await decided();
    const first = await writes().postAutoAdjustmentAndClose(input);
    expect(first.adjustmentId).toBe(`ADJ-${caseId}:adjust`);
    const row = (await pool.query('SELECT status, resolution FROM discrepancies WHERE id = $1', [caseId])).rows[0];
    expect(row).toEqual({ status: 'closed', resolution: 'auto_resolved' });
    expect(await audit(caseId)).toEqual([
      { seq: 4, action: 'adjustment_posted', adjustment_id: first.adjustmentId },
      { seq: 5, action: 'closed', adjustment_id: null },
    ]);
    expect(await stock(command)).toEqual({ wms_qty: 118, erp_qty: 118 });

    // the task run again after a crash: the same key to the WMS, the same sequence numbers here
    const again = await writes().postAutoAdjustmentAndClose(input);
    expect(again.adjustmentId).toBe(first.adjustmentId);
    expect(posted.filter((p) => p.caseId === caseId).map((p) => p.idempotencyKey)).toEqual([command.idempotencyKey, command.idempotencyKey]);
    expect(await audit(caseId)).toHaveLength(2);
    expect(await stock(command)).toEqual({ wms_qty: 118, erp_qty: 118 });
    const corrections = await pool.query('SELECT adjustment_id FROM model.corrections WHERE idempotency_key = $1', [command.idempotencyKey]);
    expect(corrections.rows).toEqual([{ adjustment_id: first.adjustmentId }]);
  });

  it('refuses another basis than the one its run kept first: no WMS call, nothing recorded', async () => {
    const { caseId, command, input } = await decided();
    await keepWriteBasis(pool, input.runId, caseId, basis(-5));
    const err = await writes().postAutoAdjustmentAndClose(input).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: WRITE_BASIS_CHANGED, nonRetryable: true });
    expect(posted.filter((p) => p.caseId === caseId)).toEqual([]);
    expect(await audit(caseId)).toEqual([]);
    expect(await stock(command)).toEqual({ wms_qty: 120, erp_qty: 120 });
  });
});
