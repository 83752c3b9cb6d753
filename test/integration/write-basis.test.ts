import pino from 'pino';
import type { Pool } from 'pg';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../../src/activities/deps';
import { createWriteActivities } from '../../src/activities/writes';
import type { PostAdjustmentCommand, WmsPort } from '../../src/adapters/ports';
import { loadConfig } from '../../src/config';
import { WRITE_BASIS_CHANGED, type WriteBasis } from '../../src/domain';
import { createPool } from '../../src/store/db';
import { keepWriteBasis, keptWriteBasis, WRITE_BASIS_RETENTION_DAYS } from '../../src/store/write-basis';
import { uniq } from '../support/engine';

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

describe('postAutoAdjustment', () => {
  const posted: PostAdjustmentCommand[] = [];
  // the WMS stands outside Reckon: a fake of its port that remembers what it was asked to post
  const wms = {
    postAdjustment: async (cmd: PostAdjustmentCommand) => {
      posted.push(cmd);
      return { adjustmentId: `ADJ-${cmd.idempotencyKey}`, replayed: posted.filter((p) => p.idempotencyKey === cmd.idempotencyKey).length > 1 };
    },
  } as Partial<WmsPort> as WmsPort;
  const writes = () => createWriteActivities({ db: pool, wms, logger: pino({ level: 'silent' }), evidenceLookbackDays: 30 } as Partial<ActivityDeps> as ActivityDeps);
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
