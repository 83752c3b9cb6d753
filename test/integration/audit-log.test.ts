import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { appendAudit, auditHash, GENESIS_HASH, listAudit, verifyAuditChains, type AuditEntry } from '../../src/store/audit-repo';
import { createPool, withTransaction } from '../../src/store/db';
import { uniq } from '../support/engine';

const run = promisify(execFile);
/** the application's role (DATABASE_URL), and the schema owner's (migrations only) */
let pool: Pool;
let owner: Pool;
beforeAll(() => {
  const config = loadConfig();
  pool = createPool(config.DATABASE_URL, 4);
  owner = createPool(config.MIGRATION_DATABASE_URL, 2);
});
afterAll(async () => {
  await pool.end();
  await owner.end();
});

const entry = (seq: number, action: string): AuditEntry => ({
  seq, at: new Date(Date.UTC(2026, 10, 22, 8, seq)).toISOString(), action, actorKind: 'system', actorId: 'reckon', detail: { n: seq },
  policyVersion: 1, scorerVersion: 'rules-v1',
});

async function append(caseId: string, entries: AuditEntry[]): Promise<number> {
  return withTransaction(pool, (c) => appendAudit(c, caseId, entries));
}

async function auditCli(caseId: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'cli', 'audit.ts'), 'verify', '--case', caseId], { env: process.env });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: e.stdout };
  }
}

it('chains rows per case, and a retried append with the same sequence numbers adds nothing', async () => {
  const caseId = uniq('case');
  expect(await append(caseId, [entry(1, 'opened'), entry(2, 'scored')])).toBe(2);
  expect(await append(caseId, [entry(1, 'opened'), entry(2, 'scored')])).toBe(0);
  expect(await append(caseId, [entry(3, 'closed')])).toBe(1);
  const rows = await listAudit(pool, caseId);
  expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
  expect(rows[1].prevHash).toBe(rows[0].hash);
  expect(rows[2].prevHash).toBe(rows[1].hash);
  expect(await verifyAuditChains(pool, caseId)).toEqual({ cases: 1, rows: 3, problemCount: 0, problems: [], problemsNotListed: 0 });

  // a retried batch overlapping what is stored chains its new row onto the stored one; a batch
  // of three chains each row onto the one before it in the batch
  expect(await append(caseId, [entry(3, 'closed'), entry(4, 'commented')])).toBe(1);
  expect(await append(caseId, [entry(5, 'commented'), entry(6, 'commented'), entry(7, 'commented')])).toBe(3);
  const all = await listAudit(pool, caseId);
  expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  for (let i = 1; i < all.length; i++) expect(all[i].prevHash).toBe(all[i - 1].hash);
  expect(await verifyAuditChains(pool, caseId)).toEqual({ cases: 1, rows: 7, problemCount: 0, problems: [], problemsNotListed: 0 });
});

it('refuses UPDATE and DELETE: the app role has no right to, and the owner meets the trigger', async () => {
  const caseId = uniq('case');
  await append(caseId, [entry(1, 'opened')]);
  await expect(pool.query(`UPDATE audit_log SET action = 'forged' WHERE case_id = $1`, [caseId])).rejects.toThrow(/permission denied/);
  await expect(pool.query('DELETE FROM audit_log WHERE case_id = $1', [caseId])).rejects.toThrow(/permission denied/);
  await expect(owner.query(`UPDATE audit_log SET action = 'forged' WHERE case_id = $1`, [caseId])).rejects.toThrow(/append-only/);
  await expect(owner.query('DELETE FROM audit_log WHERE case_id = $1', [caseId])).rejects.toThrow(/append-only/);
  expect((await listAudit(pool, caseId))[0].action).toBe('opened');
});

it('the app role cannot switch the trail’s protections off, nor touch policies or chain heads', async () => {
  const refused: [string, RegExp][] = [
    ['ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only', /must be owner/],
    ['DROP TRIGGER audit_log_append_only ON audit_log', /must be owner/],
    ['TRUNCATE audit_log', /permission denied/],
    ['DROP TABLE audit_log', /must be owner/],
    ['UPDATE policies SET created_by = created_by', /permission denied/],
    ['DELETE FROM policies', /permission denied/],
    ['ALTER TABLE policies DISABLE TRIGGER policies_append_only', /must be owner/],
    ['DELETE FROM audit_chain_heads', /permission denied/],
    ['UPDATE audit_settings SET legacy_max_id = 9e15', /permission denied/],
    ["INSERT INTO schema_migrations (name) VALUES ('999_forged.sql')", /permission denied/],
  ];
  for (const [sql, why] of refused) await expect(pool.query(sql)).rejects.toThrow(why);
});

it('a trail rewritten by the app role is caught: forged rows, a forged chain', async () => {
  const caseId = uniq('case');
  await append(caseId, [entry(1, 'opened'), entry(2, 'escalated')]);
  // INSERT is all the app role has: it appends an approval chained the way the log chains rows,
  // but without the key (the old unkeyed SHA-256), and moves the head along
  const [, last] = await listAudit(pool, caseId);
  const forged = { ...entry(3, 'approved'), actorKind: 'user' as const, actorId: 'mallory' };
  const hash = auditHash(caseId, forged, last.hash, null);
  await pool.query(
    `INSERT INTO audit_log (case_id, seq, at, action, actor_kind, actor_id, detail, prev_hash, hash) VALUES ($1, 3, $2, 'approved', 'user', 'mallory', '{"n":3}', $3, $4)`,
    [caseId, forged.at, last.hash, hash],
  );
  await pool.query(`UPDATE audit_chain_heads SET length = 3, head_hash = $2 WHERE case_id = $1`, [caseId, hash]);
  // and makes up a whole chain for a case that never had one
  const invented = uniq('case');
  const row = entry(1, 'auto_resolved');
  const inventedHash = auditHash(invented, row, GENESIS_HASH, 'a-guessed-key');
  await pool.query(
    `INSERT INTO audit_log (case_id, seq, at, action, actor_kind, actor_id, detail, prev_hash, hash) VALUES ($1, 1, $2, 'auto_resolved', 'system', 'reckon', '{"n":1}', $3, $4)`,
    [invented, row.at, GENESIS_HASH, inventedHash],
  );
  await pool.query(`INSERT INTO audit_chain_heads (case_id, length, head_hash, mac) VALUES ($1, 1, $2, 'f00d')`, [invented, inventedHash]);

  expect((await verifyAuditChains(pool, caseId)).problems).toEqual([
    { caseId, seq: 3, problem: 'hash_mismatch' },
    { caseId, seq: 3, problem: 'head_forged' },
  ]);
  const cli = await auditCli(invented);
  expect(cli.code).toBe(1);
  expect(JSON.parse(cli.out).problems).toEqual([
    { caseId: invented, seq: 1, problem: 'hash_mismatch' },
    { caseId: invented, seq: 1, problem: 'head_forged' },
  ]);
});

it('rows cut from a chain’s end, and a chain deleted whole, are caught by their recorded head', async () => {
  const [cut, gone] = [uniq('case'), uniq('case')];
  await append(cut, [entry(1, 'opened'), entry(2, 'approved'), entry(3, 'closed')]);
  await append(gone, [entry(1, 'opened'), entry(2, 'closed')]);
  expect((await verifyAuditChains(pool, cut)).problems).toEqual([]);
  // only the owner can, with the trigger off
  await withTransaction(owner, async (c) => {
    await c.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await c.query('DELETE FROM audit_log WHERE case_id = $1 AND seq > 1', [cut]);
    await c.query('DELETE FROM audit_log WHERE case_id = $1', [gone]);
    await c.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  });
  expect((await verifyAuditChains(pool, cut)).problems).toEqual([{ caseId: cut, seq: 3, problem: 'truncated' }]);
  expect((await verifyAuditChains(pool, gone)).problems).toEqual([{ caseId: gone, seq: 2, problem: 'chain_deleted' }]);
});

it('a chain altered throughout is counted whole and named in part: the verifier holds no unbounded list', async () => {
  const caseId = uniq('case');
  await append(caseId, [1, 2, 3, 4, 5, 6].map((n) => entry(n, n === 1 ? 'opened' : 'commented')));
  // every row rewritten (their links and the head left as they were): six hash mismatches
  await withTransaction(owner, async (c) => {
    await c.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await c.query(`UPDATE audit_log SET actor_id = 'mallory' WHERE case_id = $1`, [caseId]);
    await c.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  });
  const whole = await verifyAuditChains(pool, caseId);
  expect(whole.problems.map((p) => p.problem)).toEqual([...Array(6).fill('hash_mismatch')]);
  expect(whole).toMatchObject({ problemCount: 6, problemsNotListed: 0 });

  // naming at most four (batches of two rows): the first four in the report's order, all six counted
  const capped = await verifyAuditChains(pool, caseId, undefined, 2, 4);
  expect(capped).toMatchObject({ cases: 1, rows: 6, problemCount: 6, problemsNotListed: 2 });
  expect(capped.problems).toEqual([1, 2, 3, 4].map((seq) => ({ caseId, seq, problem: 'hash_mismatch' })));
});

it('`npm run audit -- verify` detects a row changed behind the log\'s back', async () => {
  const caseId = uniq('case');
  await append(caseId, [entry(1, 'opened'), entry(2, 'approved'), entry(3, 'closed')]);
  const clean = await auditCli(caseId);
  expect(clean.code).toBe(0);
  expect(JSON.parse(clean.out)).toMatchObject({ ok: true, rows: 3, problems: [] });

  // someone with owner rights switches the trigger off and rewrites who approved
  await withTransaction(owner, async (c) => {
    await c.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await c.query(`UPDATE audit_log SET actor_id = 'mallory' WHERE case_id = $1 AND seq = 2`, [caseId]);
    await c.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  });
  const tampered = await auditCli(caseId);
  expect(tampered.code).toBe(1);
  expect(JSON.parse(tampered.out)).toMatchObject({ ok: false, problemCount: 1, problemsNotListed: 0, problems: [{ caseId, seq: 2, problem: 'hash_mismatch' }] });
});
