import type { Pool, PoolClient } from 'pg';
import { DEFAULT_POLICY, PolicyDocument, policyDiff, type PinnedPolicy } from '../domain';
import { appendAudit } from './audit-repo';
import { lockForTransaction, withTransaction } from './db';

/** The audit chain of policy changes: every version, who made it and why, with what changed. */
export const POLICY_AUDIT_CHAIN = 'policies';
/** changes kept in an audit row; the full diff is always GET /v1/policies/{a}/diff/{b} */
const MAX_AUDITED_CHANGES = 100;

/**
 * Versions never change once stored (a trigger keeps them append-only): each is parsed once per
 * process, since parsing checks every site layer too and a policy is read for every new case.
 */
const parsedByDb = new WeakMap<Pool, Map<number, PolicyDocument>>();
function documentOf(pool: Pool, version: number, raw: unknown): PolicyDocument {
  let parsed = parsedByDb.get(pool);
  if (!parsed) parsedByDb.set(pool, (parsed = new Map()));
  let doc = parsed.get(version);
  if (!doc) {
    doc = PolicyDocument.parse(raw);
    if (parsed.size >= 200) parsed.clear();
    parsed.set(version, doc);
  }
  return doc;
}

/** The newest policy version; a fresh database gets the shipped default as version 1. */
export async function getActivePolicy(pool: Pool): Promise<PinnedPolicy> {
  // the number first: a version's document is read and parsed once per process, not per case
  const { rows } = await pool.query<{ version: number | null }>({ name: 'policy-latest', text: 'SELECT max(version) AS version FROM policies' });
  const version = rows[0]?.version ?? null;
  if (version === null) {
    await withTransaction(pool, (c) => storeVersion(c, DEFAULT_POLICY, 'system', 'the shipped default policy', { onlyIfEmpty: true }));
    return getActivePolicy(pool);
  }
  const parsed = parsedByDb.get(pool)?.get(version);
  // versions are append-only: the one just counted is there to read
  return parsed ? { version, document: parsed } : (await getPolicyVersion(pool, version))!;
}

export async function getPolicyVersion(pool: Pool, version: number): Promise<PinnedPolicy | null> {
  const { rows } = await pool.query({ name: 'policy-version', text: 'SELECT version, document FROM policies WHERE version = $1', values: [version] });
  return rows.length ? { version: rows[0].version, document: documentOf(pool, rows[0].version, rows[0].document) } : null;
}

/**
 * Stores a validated document as the next version, with who made it and why, and chains the
 * change (with what changed since the version before) into the audit log in the same
 * transaction. Writers are serialised, so versions and the chain advance together.
 */
export async function createPolicyVersion(pool: Pool, document: PolicyDocument, createdBy: string, reason: string, ifVersion?: number): Promise<PinnedPolicy> {
  await getActivePolicy(pool);
  return withTransaction(pool, async (c) => (await storeVersion(c, document, createdBy, reason, { onlyIfEmpty: false, ifVersion }))!);
}

/** A compare-and-set write found another version active than the one the writer read. */
export class StalePolicyVersion extends Error {
  constructor(
    readonly expected: number,
    readonly current: number,
  ) {
    super(`the active policy is version ${current}, not ${expected}: read it again and re-apply your change`);
  }
}

async function storeVersion(
  c: PoolClient,
  document: PolicyDocument,
  createdBy: string,
  reason: string,
  /** ifVersion: store only if this is still the newest version (compare-and-set, under the writers' lock) */
  opts: { onlyIfEmpty: boolean; ifVersion?: number },
): Promise<PinnedPolicy | null> {
  await lockForTransaction(c, `reckon-audit:${POLICY_AUDIT_CHAIN}`);
  const prev = await c.query<{ version: number; document: unknown }>('SELECT version, document FROM policies ORDER BY version DESC LIMIT 1');
  if (opts.onlyIfEmpty && prev.rows.length > 0) return null;
  const current = prev.rows[0]?.version ?? 0;
  if (opts.ifVersion !== undefined && opts.ifVersion !== current) throw new StalePolicyVersion(opts.ifVersion, current);
  const version = (prev.rows[0]?.version ?? 0) + 1;
  await c.query('INSERT INTO policies (version, document, created_by, reason) VALUES ($1, $2, $3, $4)', [version, JSON.stringify(document), createdBy, reason]);
  const changes = prev.rows[0] ? policyDiff(prev.rows[0].document, JSON.parse(JSON.stringify(document)), MAX_AUDITED_CHANGES + 1) : [];
  const seq = await c.query<{ next: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM audit_log WHERE case_id = $1', [POLICY_AUDIT_CHAIN]);
  await appendAudit(c, POLICY_AUDIT_CHAIN, [
    {
      seq: seq.rows[0].next,
      at: new Date().toISOString(),
      action: 'policy_version_created',
      actorKind: createdBy === 'system' ? 'system' : 'user',
      actorId: createdBy,
      policyVersion: version,
      detail: {
        version,
        previousVersion: prev.rows[0]?.version ?? null,
        reason,
        changes: changes.slice(0, MAX_AUDITED_CHANGES),
        ...(changes.length > MAX_AUDITED_CHANGES ? { moreChanges: true } : {}),
      },
    },
  ]);
  return { version, document };
}
