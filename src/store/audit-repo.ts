import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { canonicalJson } from '../domain';

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

/** The hash of a row covers every field a reader relies on, and the previous row's hash. */
export function auditHash(caseId: string, e: AuditEntry, prevHash: string): string {
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
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Appends entries to a case's chain inside the caller's transaction. Each entry carries the
 * workflow's sequence number: a retried activity finds its rows already there and adds nothing.
 */
export async function appendAudit(client: PoolClient, caseId: string, entries: AuditEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [caseId]);
  const rows: unknown[][] = [];
  let last: { seq: number; hash: string } | undefined;
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    // the batch's own rows chain onto each other: only the first (or one after a gap) looks up
    // its predecessor in the log. A retry recomputes the same hashes, so rows already there are equal.
    let prevHash: string;
    if (last && last.seq === e.seq - 1) prevHash = last.hash;
    else {
      const prev = await client.query<{ hash: string }>(
        'SELECT hash FROM audit_log WHERE case_id = $1 AND seq < $2 AND ($3::int IS NULL OR seq > $3) ORDER BY seq DESC LIMIT 1',
        [caseId, e.seq, last?.seq ?? null],
      );
      prevHash = prev.rows[0]?.hash ?? last?.hash ?? GENESIS_HASH;
    }
    const hash = auditHash(caseId, e, prevHash);
    rows.push([caseId, e.seq, e.at, e.action, e.actorKind, e.actorId, e.status ?? null, JSON.stringify(e.detail ?? {}),
      e.policyVersion ?? null, e.scorerVersion ?? null, e.evidenceDigest ?? null, prevHash, hash]);
    last = { seq: e.seq, hash };
  }
  const width = rows[0].length;
  const values = rows.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(',')})`).join(',');
  const res = await client.query(
    `INSERT INTO audit_log (case_id, seq, at, action, actor_kind, actor_id, status, detail, policy_version, scorer_version, evidence_digest, prev_hash, hash)
     VALUES ${values} ON CONFLICT (case_id, seq) DO NOTHING`,
    rows.flat(),
  );
  return res.rowCount ?? 0;
}

interface AuditDbRow {
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

export interface ChainProblem {
  caseId: string;
  seq: number;
  problem: 'hash_mismatch' | 'broken_link' | 'gap';
}

/** Re-computes every chain; a row changed behind the log's back shows as a hash mismatch. */
export async function verifyAuditChains(pool: Pool, caseId?: string): Promise<{ cases: number; rows: number; problems: ChainProblem[] }> {
  const { rows } = await pool.query<AuditDbRow>(
    caseId ? 'SELECT * FROM audit_log WHERE case_id = $1 ORDER BY case_id, seq' : 'SELECT * FROM audit_log ORDER BY case_id, seq',
    caseId ? [caseId] : [],
  );
  const problems: ChainProblem[] = [];
  let current = '';
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let cases = 0;
  for (const raw of rows) {
    const r = toRow(raw);
    if (r.caseId !== current) {
      current = r.caseId;
      prevHash = GENESIS_HASH;
      prevSeq = 0;
      cases++;
    }
    if (r.seq !== prevSeq + 1) problems.push({ caseId: r.caseId, seq: r.seq, problem: 'gap' });
    if (r.prevHash !== prevHash) problems.push({ caseId: r.caseId, seq: r.seq, problem: 'broken_link' });
    if (auditHash(r.caseId, r, r.prevHash) !== r.hash) problems.push({ caseId: r.caseId, seq: r.seq, problem: 'hash_mismatch' });
    prevHash = r.hash;
    prevSeq = r.seq;
  }
  return { cases, rows: rows.length, problems };
}
