import { Writable } from 'node:stream';
import type { MetricMeter, MetricTags } from '@temporalio/common';
import type { Pool } from 'pg';
import pino from 'pino';
import { createInAppNotifier } from '../../src/store/in-app-notifications';
import { appendAudit, verifyAuditChains, type AuditEntry } from '../../src/store/audit-repo';
import { createPool, withTransaction } from '../../src/store/db';
import { AUDIT_METRIC_NAMES, createAuditWatch } from '../../src/workers/audit-watch';
import { createIsolatedDatabase } from '../schema/isolated-db';
import { uniq } from '../support/engine';

/**
 * The worker verifies the trail on a timer: a rewritten trail sets the problem gauge, logs at
 * error and notifies admins (once per distinct damage). A database of its own, so other test
 * files' deliberately damaged chains do not count here.
 */
let db: Pool;
let drop: () => Promise<void>;
beforeAll(async () => {
  const isolated = await createIsolatedDatabase('auditwatch');
  drop = isolated.drop;
  db = createPool(isolated.url, 2);
});
afterAll(async () => {
  await db?.end();
  await drop?.();
});

/** What the worker's Prometheus exporter would be given, recorded (the SDK's meter interface). */
function recordingMeter() {
  const values: Record<string, { value: number; tags?: MetricTags }[]> = {};
  const metric = (name: string) => ({
    name,
    add: (value: number, tags?: MetricTags) => void (values[name] ??= []).push({ value, tags }),
    set: (value: number, tags?: MetricTags) => void (values[name] ??= []).push({ value, tags }),
    record: () => undefined,
    withTags: () => metric(name),
  });
  const meter = { createCounter: metric, createGauge: metric, createHistogram: metric, withTags: () => meter } as unknown as MetricMeter;
  return { meter, values };
}

const entry = (seq: number, action: string): AuditEntry => ({ seq, at: new Date(Date.UTC(2026, 10, 22, 8, seq)).toISOString(), action, actorKind: 'system', actorId: 'reckon' });

it('a clean trail sets the gauge to 0; a rewritten one sets it, logs at error and notifies admins once', async () => {
  const lines: { level: number; msg: string; named?: { caseId: string; problem: string }[] }[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => { lines.push(JSON.parse(String(chunk))); done(); } }));
  const { meter, values } = recordingMeter();
  const watch = createAuditWatch({ db, logger, notifier: createInAppNotifier(db), meter });

  const caseId = uniq('case');
  await withTransaction(db, (c) => appendAudit(c, caseId, [entry(1, 'opened'), entry(2, 'closed')]));
  expect(await watch.verifyOnce()).toMatchObject({ problems: 0 });
  expect(values[AUDIT_METRIC_NAMES.problems].at(-1)?.value).toBe(0);

  // a row appended without the key
  await db.query(
    `INSERT INTO audit_log (case_id, seq, at, action, actor_kind, actor_id, prev_hash, hash) VALUES ($1, 3, now(), 'approved', 'user', 'mallory', (SELECT hash FROM audit_log WHERE case_id = $1 AND seq = 2), 'bogus')`,
    [caseId],
  );
  expect(await watch.verifyOnce()).toMatchObject({ problems: 2 });
  expect(await watch.verifyOnce()).toMatchObject({ problems: 2 });
  expect(values[AUDIT_METRIC_NAMES.problems].at(-1)?.value).toBe(2);
  expect(values[AUDIT_METRIC_NAMES.runs].map((r) => r.tags?.outcome)).toEqual(['ok', 'tampered', 'tampered']);
  const errors = lines.filter((l) => l.level === 50);
  expect(errors).toHaveLength(2);
  expect(errors[0].named).toEqual([
    { caseId, seq: 3, problem: 'hash_mismatch' },
    { caseId, seq: 3, problem: 'head_mismatch' },
  ]);
  const sent = await db.query(`SELECT role, subject, body FROM in_app_notifications WHERE case_id = 'audit'`);
  expect(sent.rows).toEqual([{ role: 'admin', subject: 'Audit trail verification failed: 2 problem(s)', body: `${caseId} seq 3: hash_mismatch\n${caseId} seq 3: head_mismatch` }]);
});

it('reads the log in batches: chains split across a batch\u2019s end give the findings of one read, forged rows included', async () => {
  const lengths = [1, 3, 4, 2, 5];
  const ids = lengths.map(() => uniq('batch'));
  for (const [i, n] of lengths.entries()) {
    await withTransaction(db, (c) => appendAudit(c, ids[i], Array.from({ length: n }, (_, k) => entry(k + 1, k === 0 ? 'opened' : 'commented'))));
  }
  // a row appended without the key in the middle of the log, and a chain's head left behind it
  await db.query(
    `INSERT INTO audit_log (case_id, seq, at, action, actor_kind, actor_id, prev_hash, hash) VALUES ($1, 5, now(), 'approved', 'user', 'mallory', (SELECT hash FROM audit_log WHERE case_id = $1 AND seq = 4), 'bogus')`,
    [ids[2]],
  );
  const whole = await verifyAuditChains(db, undefined, undefined, 1_000_000);
  expect(whole.problems).toEqual(expect.arrayContaining([
    { caseId: ids[2], seq: 5, problem: 'hash_mismatch' },
    { caseId: ids[2], seq: 5, problem: 'head_mismatch' },
  ]));
  expect(whole.rows).toBeGreaterThanOrEqual(16);
  for (const batch of [1, 2, 3, 7]) expect(await verifyAuditChains(db, undefined, undefined, batch)).toEqual(whole);
  // one case, in batches smaller than its chain
  expect(await verifyAuditChains(db, ids[4], undefined, 2)).toEqual({ cases: 1, rows: 5, problemCount: 0, problems: [], problemsNotListed: 0 });
});
