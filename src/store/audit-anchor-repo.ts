import type { Pool } from 'pg';
import type { ChainLeaf } from '../audit/merkle';

/** Every audit chain's recorded head: what an anchor commits to. */
export async function listChainHeads(pool: Pool): Promise<ChainLeaf[]> {
  const { rows } = await pool.query<{ case_id: string; length: number; head_hash: string }>(
    'SELECT case_id, length, head_hash FROM audit_chain_heads ORDER BY case_id',
  );
  return rows.map((r) => ({ caseId: r.case_id, length: r.length, headHash: r.head_hash }));
}

const BATCH = 10_000;

/**
 * The hash each chain's row has today at the anchored length (a chain grows after its anchor;
 * the row the anchor saw as the head must still be there, unchanged). Missing: no such row.
 */
export async function rowHashesAt(pool: Pool, leaves: ChainLeaf[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < leaves.length; i += BATCH) {
    const batch = leaves.slice(i, i + BATCH);
    const { rows } = await pool.query<{ case_id: string; hash: string }>(
      `SELECT a.case_id, a.hash FROM audit_log a
       JOIN unnest($1::text[], $2::int[]) AS anchored(case_id, seq) ON anchored.case_id = a.case_id AND anchored.seq = a.seq`,
      [batch.map((l) => l.caseId), batch.map((l) => l.length)],
    );
    for (const r of rows) out.set(r.case_id, r.hash);
  }
  return out;
}
