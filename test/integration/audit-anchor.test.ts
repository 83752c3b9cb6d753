import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import { verifyAgainstAnchor } from '../../src/audit/anchor';
import { anchorHashOf, readAnchors, type AnchorRecord } from '../../src/audit/anchor-log';
import { merkleRoot } from '../../src/audit/merkle';
import { ANCHOR_SCHEDULE_ID, ensureAnchorSchedule } from '../../src/audit/schedule';
import { appendAudit, auditHash, headMac, listAudit, verifyAuditChains, type AuditEntry } from '../../src/store/audit-repo';
import { createPool, withTransaction } from '../../src/store/db';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';

const run = promisify(execFile);
const anchorFile = join(mkdtempSync(join(tmpdir(), 'reckon-anchor-')), 'anchors.jsonl');
let engine: Engine;
let owner: Pool;
const mine = { victim: uniq('case'), a: uniq('case'), b: uniq('case') };

beforeAll(async () => {
  engine = await startEngine({ AUDIT_ANCHOR_FILE: anchorFile });
  owner = createPool(engine.config.MIGRATION_DATABASE_URL, 2);
  const entry = (seq: number, action: string, actorId = 'reckon'): AuditEntry => ({
    seq, at: new Date(Date.UTC(2026, 11, 1, 8, seq)).toISOString(), action, actorKind: seq === 2 ? 'user' : 'system', actorId, detail: { n: seq },
  });
  for (const caseId of Object.values(mine)) {
    await withTransaction(engine.db, (c) => appendAudit(c, caseId, [entry(1, 'opened'), entry(2, 'approved', 'alice'), entry(3, 'closed')]));
  }
});
afterAll(async () => {
  await engine.client.schedule.getHandle(ANCHOR_SCHEDULE_ID).delete().catch(() => undefined);
  await owner?.end();
  await engine?.stop();
});

async function auditCli(...args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  return auditCliWith({}, ...args);
}

async function auditCliWith(extraEnv: Record<string, string>, ...args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  const env = { ...process.env, AUDIT_ANCHOR_FILE: anchorFile, TEMPORAL_TASK_QUEUE: engine.config.TEMPORAL_TASK_QUEUE, LOG_LEVEL: 'warn', ...extraEnv };
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'cli', 'audit.ts'), ...args], { env });
    return { code: 0, out: JSON.parse(stdout) };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    if (!e.stdout) throw new Error(`audit ${args.join(' ')}: exit ${e.code}: ${e.stderr}`);
    return { code: e.code, out: JSON.parse(e.stdout) };
  }
}

const anchors = () => readAnchors(anchorFile).records;

/** What someone with the owner's rights and the chain key does: rewrites rows, re-hashes them, moves the head. */
async function rewriteChain(caseId: string, actorId: string): Promise<void> {
  const rows = await listAudit(engine.db, caseId);
  let prevHash = rows[0].prevHash;
  await withTransaction(owner, async (c) => {
    await c.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    for (const r of rows) {
      const changed = r.seq === 2 ? { ...r, actorId } : r;
      const hash = auditHash(caseId, changed, prevHash);
      await c.query('UPDATE audit_log SET actor_id = $3, prev_hash = $4, hash = $5 WHERE case_id = $1 AND seq = $2', [caseId, r.seq, changed.actorId, prevHash, hash]);
      prevHash = hash;
    }
    await c.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    const last = rows.at(-1)!;
    await c.query('UPDATE audit_chain_heads SET head_hash = $2, mac = $3 WHERE case_id = $1', [caseId, prevHash, headMac(caseId, last.seq, prevHash)]);
  });
}

it('the Merkle root is the same whatever order the heads come in, and changes with any head', () => {
  const leaves = Array.from({ length: 7 }, (_, i) => ({ caseId: `c${i}`, length: i + 1, headHash: String(i).repeat(64).slice(0, 64) }));
  const root = merkleRoot(leaves);
  expect(merkleRoot([...leaves].reverse())).toBe(root);
  for (let i = 0; i < leaves.length; i++) {
    expect(merkleRoot(leaves.map((l, j) => (j === i ? { ...l, headHash: 'f'.repeat(64) } : l)))).not.toBe(root);
    expect(merkleRoot(leaves.map((l, j) => (j === i ? { ...l, length: l.length + 1 } : l)))).not.toBe(root);
  }
  expect(merkleRoot(leaves.slice(1))).not.toBe(root);
});

it('the schedule anchors every chain head in the log and in its workflow history; untampered chains verify against it', async () => {
  expect(await ensureAnchorSchedule(engine.client, engine.config.TEMPORAL_TASK_QUEUE, 3600)).toBe('created');
  expect(await ensureAnchorSchedule(engine.client, engine.config.TEMPORAL_TASK_QUEUE, 3600)).toBe('updated');
  await engine.client.schedule.getHandle(ANCHOR_SCHEDULE_ID).trigger();
  const [anchor] = await eventually(async () => (anchors().length > 0 ? anchors() : undefined), 60_000);
  expect(anchor.chains).toBeGreaterThanOrEqual(3);
  expect(anchor.prevAnchorHash).toBe('0'.repeat(64));
  expect(anchor.anchorHash).toBe(anchorHashOf(anchor));

  // the same root is the anchoring workflow's result and memo
  const handle = engine.client.workflow.getHandle(anchor.anchorId);
  expect(((await handle.result()) as AnchorRecord).root).toBe(anchor.root);
  expect((await handle.describe()).memo).toMatchObject({ root: anchor.root, chains: anchor.chains });

  const verdict = await verifyAgainstAnchor(engine.db, anchorFile);
  expect(verdict.problems.filter((p) => Object.values(mine).includes(p.caseId))).toEqual([]);
  expect(verdict.logProblems).toEqual([]);
  const clean = await auditCli('verify', '--case', mine.victim);
  expect(clean.code).toBe(0);
  expect(clean.out).toMatchObject({ ok: true, problems: [], temporal: 'agrees', anchor: { root: anchor.root } });
});

it('a chain rewritten consistently (rows re-hashed with the key, head and MAC moved) passes the chain check but not the anchor: verify names the case', async () => {
  await rewriteChain(mine.victim, 'mallory');
  // the rewrite is consistent: the chain check alone sees nothing
  expect((await verifyAuditChains(engine.db, mine.victim)).problems).toEqual([]);

  const verdict = await verifyAgainstAnchor(engine.db, anchorFile);
  expect(verdict.problems.filter((p) => Object.values(mine).includes(p.caseId))).toEqual([{ caseId: mine.victim, seq: 3, problem: 'anchor_mismatch' }]);
  const tampered = await auditCli('verify', '--case', mine.victim);
  expect(tampered.code).toBe(1);
  expect(tampered.out.problems).toEqual([{ caseId: mine.victim, seq: 3, problem: 'anchor_mismatch' }]);
  // the others still verify
  expect((await auditCli('verify', '--case', mine.a)).code).toBe(0);
});

it('`npm run audit -- anchor` anchors now, linked to the anchor before; an anchor edited in the file and re-linked is caught by its workflow history', async () => {
  const made = await auditCli('anchor');
  expect(made.code).toBe(0);
  const [first, second] = anchors();
  expect(second).toMatchObject({ root: made.out.root, prevAnchorHash: first.anchorHash });
  // the rewritten chain is the anchored one now; the next check is against this anchor
  expect((await auditCli('verify', '--case', mine.victim)).code).toBe(0);

  // the file rewritten to claim another root, its hashes recomputed
  const forged = { ...second, root: 'e'.repeat(64) };
  forged.anchorHash = anchorHashOf(forged);
  writeFileSync(anchorFile, `${JSON.stringify(first)}\n${JSON.stringify(forged)}\n`);
  const caught = await auditCli('verify', '--case', mine.a);
  expect(caught.code).toBe(1);
  expect(caught.out.temporal).toBe('differs');
  expect((caught.out.anchorLogProblems as string[]).join('\n')).toMatch(/its workflow's history says/);
  expect(readFileSync(anchorFile, 'utf8')).toContain('e'.repeat(64));
});

it('verify with Temporal unreachable does not pass: the chains are reported, the anchor is "not checked", exit 3', async () => {
  // a fresh anchor after the forged one of the test before
  expect((await auditCli('anchor')).code).toBe(0);
  // a port nothing listens on
  const off = await auditCliWith({ TEMPORAL_ADDRESS: '127.0.0.1:1' }, 'verify', '--case', mine.b);
  expect(off.code).toBe(3);
  expect(off.out).toMatchObject({ complete: false, problems: [] });
  expect(String(off.out.temporal)).toMatch(/^not checked: Temporal unreachable/);
  // the same check with Temporal there completes
  const on = await auditCli('verify', '--case', mine.b);
  expect(on).toMatchObject({ code: 0, out: { complete: true, temporal: 'agrees' } });
});
