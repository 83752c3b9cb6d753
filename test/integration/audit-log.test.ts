import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { appendAudit, listAudit, verifyAuditChains, type AuditEntry } from '../../src/store/audit-repo';
import { createPool, withTransaction } from '../../src/store/db';
import { uniq } from '../support/engine';

const run = promisify(execFile);
let pool: Pool;
beforeAll(() => {
  pool = createPool(loadConfig().DATABASE_URL, 4);
});
afterAll(async () => pool.end());

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
  expect(await verifyAuditChains(pool, caseId)).toEqual({ cases: 1, rows: 3, problems: [] });

  // a retried batch overlapping what is stored chains its new row onto the stored one; a batch
  // of three chains each row onto the one before it in the batch
  expect(await append(caseId, [entry(3, 'closed'), entry(4, 'commented')])).toBe(1);
  expect(await append(caseId, [entry(5, 'commented'), entry(6, 'commented'), entry(7, 'commented')])).toBe(3);
  const all = await listAudit(pool, caseId);
  expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  for (let i = 1; i < all.length; i++) expect(all[i].prevHash).toBe(all[i - 1].hash);
  expect(await verifyAuditChains(pool, caseId)).toEqual({ cases: 1, rows: 7, problems: [] });
});

it('refuses UPDATE and DELETE', async () => {
  const caseId = uniq('case');
  await append(caseId, [entry(1, 'opened')]);
  await expect(pool.query(`UPDATE audit_log SET action = 'forged' WHERE case_id = $1`, [caseId])).rejects.toThrow(/append-only/);
  await expect(pool.query('DELETE FROM audit_log WHERE case_id = $1', [caseId])).rejects.toThrow(/append-only/);
  expect((await listAudit(pool, caseId))[0].action).toBe('opened');
});

it('`npm run audit -- verify` detects a row changed behind the log\'s back', async () => {
  const caseId = uniq('case');
  await append(caseId, [entry(1, 'opened'), entry(2, 'approved'), entry(3, 'closed')]);
  const clean = await auditCli(caseId);
  expect(clean.code).toBe(0);
  expect(JSON.parse(clean.out)).toMatchObject({ ok: true, rows: 3, problems: [] });

  // someone with owner rights switches the trigger off and rewrites who approved
  await withTransaction(pool, async (c) => {
    await c.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await c.query(`UPDATE audit_log SET actor_id = 'mallory' WHERE case_id = $1 AND seq = 2`, [caseId]);
    await c.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  });
  const tampered = await auditCli(caseId);
  expect(tampered.code).toBe(1);
  expect(JSON.parse(tampered.out).problems).toEqual([{ caseId, seq: 2, problem: 'hash_mismatch' }]);
});
