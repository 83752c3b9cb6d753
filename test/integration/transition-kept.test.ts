import pino from 'pino';
import type { Pool } from 'pg';
import type { ActivityDeps } from '../../src/activities/deps';
import { createRecordActivities } from '../../src/activities/record';
import { loadConfig } from '../../src/config';
import type { CaseState } from '../../src/domain';
import { createPool } from '../../src/store/db';
import { insertCase } from '../api/support';

// The workflow sends a case's evidence and score to recordTransition only when they changed;
// the read model must show the same as if every transition had carried them.
let pool: Pool;
let record: ReturnType<typeof createRecordActivities>['recordTransition'];
beforeAll(() => {
  pool = createPool(loadConfig().DATABASE_URL, 4);
  // recordTransition touches only the database (no feed, no metrics)
  const deps = { db: pool, logger: pino({ level: 'silent' }), evidenceLookbackDays: 30 } as Partial<ActivityDeps> as ActivityDeps;
  record = createRecordActivities(deps).recordTransition;
});
afterAll(async () => pool.end());

const evidence = { missing: ['erpOnHand'], wmsBalance: { qty: 20 } } as unknown as NonNullable<CaseState['evidence']>;
const score = {
  scorerVersion: 'rules-v1', causes: [{ cause: 'count_error', probability: 0.8, explainedQty: 4 }], confidence: 0.8,
  explainedQty: 4, unexplainedQty: 0, fullyExplained: true, recommendedAction: 'auto_resolve', explanation: 'a miscount of 4',
  priority: 42,
} as unknown as NonNullable<CaseState['score']>;

const entry = (seq: number, action: string) => ({
  seq, at: new Date().toISOString(), action, actorKind: 'system' as const, actorId: 'reckon', status: 'deciding' as const, detail: {},
});

async function row(id: string) {
  return (await pool.query('SELECT status, evidence, score, explanation, confidence, priority, scorer_version FROM discrepancies WHERE id = $1', [id])).rows[0];
}

it('a transition that leaves out unchanged evidence and score keeps them in the read model and the outcome', async () => {
  const opened = await insertCase(pool, { status: 'scoring', seq: 1 });
  const scored: CaseState = { ...opened, status: 'deciding', evidence, score, seq: 2 };
  await record({ state: scored, entries: [entry(2, 'scored')] });

  const { evidence: _e, score: _s, ...slim } = scored;
  await record({ state: { ...slim, status: 'auto_resolving', seq: 3 }, entries: [entry(3, 'decided')], kept: ['evidence', 'score'] });
  expect(await row(opened.caseId)).toMatchObject({
    status: 'auto_resolving', evidence, score, explanation: 'a miscount of 4', scorer_version: 'rules-v1', priority: 42,
  });

  const closed = { ...slim, status: 'closed' as const, resolution: 'auto_resolved' as const, closedAt: new Date().toISOString(), seq: 4 };
  await record({ state: closed, entries: [entry(4, 'closed')], kept: ['evidence', 'score'] });
  expect(await row(opened.caseId)).toMatchObject({ status: 'closed', evidence, score, explanation: 'a miscount of 4' });
  const outcome = (await pool.query('SELECT scorer_version, confidence, predicted_cause FROM outcomes WHERE case_id = $1', [opened.caseId])).rows[0];
  expect(outcome).toMatchObject({ scorer_version: 'rules-v1', predicted_cause: 'count_error' });
  expect(Number(outcome.confidence)).toBe(0.8);
});

it('evidence sent again replaces the stored one; a retried older transition changes nothing', async () => {
  const opened = await insertCase(pool, { status: 'scoring', seq: 1 });
  await record({ state: { ...opened, status: 'deciding', evidence, score, seq: 2 }, entries: [entry(2, 'scored')] });
  const fresh = { ...evidence, notes: [{ from: 'ops', text: 'bin was blocked' }] } as unknown as typeof evidence;
  const { evidence: _e, score: _s, ...slim } = opened;
  await record({ state: { ...slim, status: 'deciding', evidence: fresh, seq: 3 }, entries: [entry(3, 'evidence_added')], kept: ['score'] });
  // the retry of seq 2, with both parts left out, must not roll the row back
  await record({ state: { ...slim, status: 'deciding', seq: 2 }, entries: [entry(2, 'scored')], kept: ['evidence', 'score'] });
  expect(await row(opened.caseId)).toMatchObject({ evidence: fresh, score, explanation: 'a miscount of 4' });
});
