import { createHash, createHmac } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { loadConfig } from '../config';
import { canonicalJson } from '../domain';
import { lockForTransaction } from './db';

export type AuditActorKind = 'system' | 'rule' | 'scorer' | 'user';

export interface AuditEntry {
  seq: number;
  at: string;
  action: string;
  actorKind: AuditActorKind;
  actorId: string;
  status?: string;
  detail?: Record<string, unknown>;
  policyVersion?: number;
  scorerVersion?: string;
  evidenceDigest?: string;
}

export interface AuditRow extends AuditEntry {
  caseId: string;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

let configuredKey: string | undefined;
/** The chain key (AUDIT_HMAC_KEY), read once per process: whoever lacks it cannot re-chain a rewritten trail. */
export function auditKey(): string {
  return (configuredKey ??= loadConfig().AUDIT_HMAC_KEY);
}

const hmac = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');

/**
 * The hash of a row covers every field a reader relies on, and the previous row's hash. Keyed
 * (HMAC-SHA256); `key: null` is the plain SHA-256 of rows stored before the chain was keyed.
 */
export function auditHash(caseId: string, e: AuditEntry, prevHash: string, key: string | null = auditKey()): string {
  const body = canonicalJson({
    caseId,
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    action: e.action,
    actorKind: e.actorKind,
    actorId: e.actorId,
    status: e.status ?? null,
    detail: e.detail ?? {},
    policyVersion: e.policyVersion ?? null,
    scorerVersion: e.scorerVersion ?? null,
    evidenceDigest: e.evidenceDigest ?? null,
    prevHash,
  });
  return key === null ? createHash('sha256').update(body).digest('hex') : hmac(key, body);
}

/** The MAC of a chain's head: its length (the last seq) and last hash, bound to the case. */
export function headMac(caseId: string, length: number, headHash: string, key: string = auditKey()): string {
  return hmac(key, canonicalJson({ caseId, length, headHash }));
}

/** The advisory lock a case's chain is appended under (withTransaction's `locks` may take it first). */
export const auditLockName = (caseId: string) => caseId;

/**
 * Appends entries to a case's chain inside the caller's transaction. Each entry carries the
 * workflow's sequence number: a retried activity finds its rows already there and adds nothing.
 * `locked`: the transaction holds the chain's lock (auditLockName) already.
 */
export async function appendAudit(client: PoolClient, caseId: string, entries: AuditEntry[], opts: { key?: string; locked?: boolean } = {}): Promise<number> {
  if (entries.length === 0) return 0;
  const key = opts.key ?? auditKey();
  if (!opts.locked) await lockForTransaction(client, auditLockName(caseId));
  const rows: unknown[][] = [];
  let last: { seq: number; hash: string } | undefined;
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    // the batch's own rows chain onto each other: only the first (or one after a gap) looks up
    // its predecessor in the log. A retry recomputes the same hashes, so rows already there are equal.
    let prevHash: string;
    if (last && last.seq === e.seq - 1) prevHash = last.hash;
    // a case's first entry has nothing before it (sequences start at 1): no look-up
    else if (!last && e.seq === 1) prevHash = GENESIS_HASH;
    else {
      const prev = await client.query<{ hash: string }>(
        'SELECT hash FROM audit_log WHERE case_id = $1 AND seq < $2 AND ($3::int IS NULL OR seq > $3) ORDER BY seq DESC LIMIT 1',
        [caseId, e.seq, last?.seq ?? null],
      );
      prevHash = prev.rows[0]?.hash ?? last?.hash ?? GENESIS_HASH;
    }
    const hash = auditHash(caseId, e, prevHash, key);
    rows.push([caseId, e.seq, e.at, e.action, e.actorKind, e.actorId, e.status ?? null, JSON.stringify(e.detail ?? {}),
      e.policyVersion ?? null, e.scorerVersion ?? null, e.evidenceDigest ?? null, prevHash, hash]);
    last = { seq: e.seq, hash };
  }
  const width = rows[0].length;
  const values = rows.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(',')})`).join(',');
  const head = rows.length * width;
  const { seq: length, hash: headHash } = last!;
  // the rows and the chain's head in one statement; the head moves forward only, so a retried
  // batch leaves it where it is
  const res = await client.query<{ appended: number }>({
    // one prepared statement per batch size (a transition appends one to a dozen entries)
    name: `audit-append-${rows.length}`,
    text: `WITH appended AS (
       INSERT INTO audit_log (case_id, seq, at, action, actor_kind, actor_id, status, detail, policy_version, scorer_version, evidence_digest, prev_hash, hash)
       VALUES ${values} ON CONFLICT (case_id, seq) DO NOTHING RETURNING 1
     ), head AS (
       INSERT INTO audit_chain_heads (case_id, length, head_hash, mac) VALUES ($${head + 1}, $${head + 2}, $${head + 3}, $${head + 4})
       ON CONFLICT (case_id) DO UPDATE SET length = EXCLUDED.length, head_hash = EXCLUDED.head_hash, mac = EXCLUDED.mac, updated_at = now()
       WHERE audit_chain_heads.length < EXCLUDED.length
     )
     SELECT count(*)::int AS appended FROM appended`,
    values: [...rows.flat(), caseId, length, headHash, headMac(caseId, length, headHash, key)],
  });
  return res.rows[0].appended;
}

interface AuditDbRow {
  id?: string | number;
  case_id: string;
  seq: number;
  at: Date | string;
  action: string;
  actor_kind: AuditActorKind;
  actor_id: string;
  status: string | null;
  detail: Record<string, unknown>;
  policy_version: number | null;
  scorer_version: string | null;
  evidence_digest: string | null;
  prev_hash: string;
  hash: string;
}

function toRow(r: AuditDbRow): AuditRow {
  return {
    caseId: r.case_id,
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    action: r.action,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    status: r.status ?? undefined,
    detail: r.detail,
    policyVersion: r.policy_version ?? undefined,
    scorerVersion: r.scorer_version ?? undefined,
    evidenceDigest: r.evidence_digest ?? undefined,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export async function listAudit(pool: Pool, caseId: string): Promise<AuditRow[]> {
  const { rows } = await pool.query<AuditDbRow>('SELECT * FROM audit_log WHERE case_id = $1 ORDER BY seq', [caseId]);
  return rows.map(toRow);
}

export type ChainProblemKind =
  | 'hash_mismatch'
  | 'broken_link'
  | 'gap'
  /** keyed rows without a recorded head */
  | 'missing_head'
  /** fewer rows than the head records: rows cut from the chain's end */
  | 'truncated'
  /** the head names another length or last hash than the rows */
  | 'head_mismatch'
  /** the head's MAC does not hold: written without the key */
  | 'head_forged'
  /** a head without rows: the chain was deleted whole */
  | 'chain_deleted'
  /** a case in the read model without an audit chain */
  | 'missing_chain';

export interface ChainProblem {
  caseId: string;
  seq: number;
  problem: ChainProblemKind;
}

interface HeadRow {
  case_id: string;
  length: number;
  head_hash: string;
  mac: string;
}

/** audit rows read per statement while verifying: the log is never held whole in memory */
export const VERIFY_BATCH_ROWS = 5000;

/** problems a verification names; `problemCount` counts them all */
export const LISTED_PROBLEMS = 1000;

export interface ChainVerification {
  cases: number;
  rows: number;
  /** every problem found */
  problemCount: number;
  /** the first LISTED_PROBLEMS of them, in the report's order: rows, heads, deleted chains, missing chains */
  problems: ChainProblem[];
  /** problemCount less those named */
  problemsNotListed: number;
}

interface ChainSoFar {
  caseId: string;
  lastSeq: number;
  lastHash: string;
  keyed: boolean;
}

/**
 * Re-computes every chain (or one) and holds it against its recorded head: a row changed behind
 * the log's back shows as a hash mismatch, rows cut from the end as truncated, a chain deleted
 * whole as chain_deleted (its head remains) or missing_chain (its case remains). The log is read
 * in keyset batches of `batchRows` by (case, seq), a chain carried across a batch's end, and each
 * finished chain's head looked up with its batch: the worker verifies hourly, whatever the size.
 */
export async function verifyAuditChains(
  pool: Pool,
  caseId?: string,
  key: string = auditKey(),
  batchRows: number = VERIFY_BATCH_ROWS,
  listed: number = LISTED_PROBLEMS,
): Promise<ChainVerification> {
  if (!Number.isInteger(listed) || listed < 1) throw new Error(`verifyAuditChains: listed must be a whole number above 0, not ${listed}`);
  const one = caseId ? [caseId] : [];
  const legacy = await pool.query<{ legacy_max_id: string }>('SELECT legacy_max_id FROM audit_settings');
  const legacyMaxId = Number(legacy.rows[0]?.legacy_max_id ?? 0);
  // kept apart so the report reads as it always has: rows, then heads, then deleted and missing chains
  const rowProblems = new ProblemList(listed);
  const headProblems = new ProblemList(listed);
  let cases = 0;
  let rowsRead = 0;
  let chain: ChainSoFar | undefined;

  const checkHeads = async (finished: ChainSoFar[]) => {
    if (finished.length === 0) return;
    const { rows: headRows } = await pool.query<HeadRow>('SELECT case_id, length, head_hash, mac FROM audit_chain_heads WHERE case_id = ANY($1::text[])', [finished.map((c) => c.caseId)]);
    const heads = new Map(headRows.map((h) => [h.case_id, h]));
    for (const c of finished) {
      const head = heads.get(c.caseId);
      if (!head) {
        if (c.keyed) headProblems.push({ caseId: c.caseId, seq: c.lastSeq, problem: 'missing_head' });
        continue;
      }
      if (headMac(c.caseId, head.length, head.head_hash, key) !== head.mac) headProblems.push({ caseId: c.caseId, seq: head.length, problem: 'head_forged' });
      if (c.lastSeq < head.length) headProblems.push({ caseId: c.caseId, seq: head.length, problem: 'truncated' });
      else if (c.lastSeq !== head.length || c.lastHash !== head.head_hash) headProblems.push({ caseId: c.caseId, seq: c.lastSeq, problem: 'head_mismatch' });
    }
  };

  for (let after: [string, number] | undefined; ; ) {
    const params: unknown[] = [...one];
    const conditions = caseId ? ['case_id = $1'] : [];
    if (after) {
      params.push(after[0], after[1]);
      conditions.push(`(case_id, seq) > ($${params.length - 1}, $${params.length})`);
    }
    const { rows } = await pool.query<AuditDbRow>(
      `SELECT * FROM audit_log ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY case_id, seq LIMIT ${batchRows}`,
      params,
    );
    const finished: ChainSoFar[] = [];
    for (const raw of rows) {
      const r = toRow(raw);
      if (r.caseId !== chain?.caseId) {
        if (chain) finished.push(chain);
        chain = { caseId: r.caseId, lastSeq: 0, lastHash: GENESIS_HASH, keyed: false };
        cases += 1;
      }
      const keyed = Number(raw.id) > legacyMaxId;
      if (r.seq !== chain.lastSeq + 1) rowProblems.push({ caseId: r.caseId, seq: r.seq, problem: 'gap' });
      if (r.prevHash !== chain.lastHash) rowProblems.push({ caseId: r.caseId, seq: r.seq, problem: 'broken_link' });
      if (auditHash(r.caseId, r, r.prevHash, keyed ? key : null) !== r.hash) rowProblems.push({ caseId: r.caseId, seq: r.seq, problem: 'hash_mismatch' });
      chain.lastHash = r.hash;
      chain.lastSeq = r.seq;
      chain.keyed ||= keyed;
    }
    rowsRead += rows.length;
    // the batch's last chain may go on in the next batch: its head waits for it
    await checkHeads(finished);
    if (rows.length < batchRows) break;
    const last = rows[rows.length - 1];
    after = [last.case_id, Number(last.seq)];
  }
  if (chain) await checkHeads([chain]);

  // the first `listed` of each, with the whole count beside them (count(*) OVER () before the LIMIT)
  const deleted = await pool.query<{ case_id: string; length: number; total: string }>(
    `SELECT h.case_id, h.length, count(*) OVER () AS total FROM audit_chain_heads h WHERE ${caseId ? 'h.case_id = $2 AND ' : ''}NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.case_id = h.case_id) ORDER BY h.case_id LIMIT $1`,
    [listed, ...one],
  );
  const orphans = await pool.query<{ id: string; total: string }>(
    `SELECT d.id, count(*) OVER () AS total FROM discrepancies d WHERE ${caseId ? 'd.id = $2 AND ' : ''}NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.case_id = d.id) ORDER BY d.id LIMIT $1`,
    [listed, ...one],
  );
  const lists: { items: ChainProblem[]; count: number }[] = [
    rowProblems,
    headProblems,
    { items: deleted.rows.map((h) => ({ caseId: h.case_id, seq: h.length, problem: 'chain_deleted' })), count: Number(deleted.rows[0]?.total ?? 0) },
    { items: orphans.rows.map((o) => ({ caseId: o.id, seq: 0, problem: 'missing_chain' })), count: Number(orphans.rows[0]?.total ?? 0) },
  ];
  const problemCount = lists.reduce((n, l) => n + l.count, 0);
  const problems = lists.flatMap((l) => l.items).slice(0, listed);
  return { cases, rows: rowsRead, problemCount, problems, problemsNotListed: problemCount - problems.length };
}

/**
 * A verification's problems: the first ones kept, every one counted. A log altered throughout
 * (every row a hash mismatch) must not hold the process's memory hostage to name them all.
 */
class ProblemList {
  items: ChainProblem[] = [];
  count = 0;
  constructor(private readonly keep: number) {}

  push(p: ChainProblem): void {
    this.count += 1;
    if (this.items.length < this.keep) this.items.push(p);
  }
}
