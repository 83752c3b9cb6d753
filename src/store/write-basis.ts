import type { Pool, PoolClient } from 'pg';
import type { WriteBasis } from '../domain';

/**
 * Days a write's basis is kept. It is needed only until the workflow task that wrote completes
 * (seconds); this covers a task left waiting through a long outage of every worker.
 */
export const WRITE_BASIS_RETENTION_DAYS = 3;

/** The basis kept for this workflow run's automatic write, if one was. */
export async function keptWriteBasis(db: Pool, runId: string): Promise<WriteBasis | undefined> {
  const { rows } = await db.query<{ basis: WriteBasis }>({ name: 'write-basis-kept', text: 'SELECT basis FROM write_basis WHERE run_id = $1', values: [runId] });
  return rows[0]?.basis;
}

/**
 * Keeps the basis of a run's automatic write, before the write is sent (or with the record of a
 * close that wrote nothing); returns the basis kept for the run, which is an earlier one if a
 * first attempt of the task kept one. Prunes a few rows past the retention in the same
 * statement, so the table stays as small as its window.
 */
export async function keepWriteBasis(db: Pool | PoolClient, runId: string, caseId: string, basis: WriteBasis): Promise<WriteBasis> {
  const { rows } = await db.query<{ basis: WriteBasis }>({
    name: 'write-basis-keep',
    text: `WITH pruned AS (
       DELETE FROM write_basis WHERE run_id IN (
         SELECT run_id FROM write_basis WHERE kept_at < now() - make_interval(days => $4) ORDER BY kept_at LIMIT 8))
     INSERT INTO write_basis (run_id, case_id, basis) VALUES ($1, $2, $3)
     ON CONFLICT (run_id) DO UPDATE SET run_id = EXCLUDED.run_id
     RETURNING basis`,
    values: [runId, caseId, JSON.stringify(basis), WRITE_BASIS_RETENTION_DAYS],
  });
  return rows[0].basis;
}
