import type { Pool } from 'pg';
import { DEFAULT_POLICY, PolicyDocument, type PinnedPolicy } from '../domain';

/** The newest policy version; a fresh database gets the shipped default as version 1. */
export async function getActivePolicy(pool: Pool): Promise<PinnedPolicy> {
  const { rows } = await pool.query('SELECT version, document FROM policies ORDER BY version DESC LIMIT 1');
  if (rows.length === 0) {
    await pool.query(
      `INSERT INTO policies (version, document, created_by) VALUES (1, $1, 'system') ON CONFLICT (version) DO NOTHING`,
      [JSON.stringify(DEFAULT_POLICY)],
    );
    return getActivePolicy(pool);
  }
  return { version: rows[0].version, document: PolicyDocument.parse(rows[0].document) };
}

export async function getPolicyVersion(pool: Pool, version: number): Promise<PinnedPolicy | null> {
  const { rows } = await pool.query('SELECT version, document FROM policies WHERE version = $1', [version]);
  return rows.length ? { version: rows[0].version, document: PolicyDocument.parse(rows[0].document) } : null;
}

/** Stores a validated document as the next version; concurrent writers each get their own number. */
export async function createPolicyVersion(pool: Pool, document: PolicyDocument, createdBy: string): Promise<PinnedPolicy> {
  await getActivePolicy(pool);
  for (let attempt = 0; attempt < 5; attempt++) {
    const { rows } = await pool.query(
      `INSERT INTO policies (version, document, created_by)
       SELECT COALESCE(MAX(version), 0) + 1, $1, $2 FROM policies
       ON CONFLICT (version) DO NOTHING RETURNING version`,
      [JSON.stringify(document), createdBy],
    );
    if (rows.length) return { version: rows[0].version, document };
  }
  throw new Error('could not allocate a policy version under contention');
}
