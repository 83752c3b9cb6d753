import type { Pool } from 'pg';
import { BIN_CONTEXT_DAYS, type BinContext } from '../domain/bin-context';

/** The pattern kinds: a case of one of these at a bin says something systematic happens there. */
export const PATTERN_KINDS = ['shrink_pattern', 'drift', 'mis_scan'];

/**
 * Recent evidence at a bin besides the case's own (domain/bin-context.ts): other open cases,
 * pattern cases, and counts beyond tolerance that are neither the case's source events nor its
 * recounts. Indexed reads by (site, location).
 */
export async function loadBinContext(db: Pool, c: { caseId: string; site: string; location: string; sourceEventIds: string[] }): Promise<BinContext> {
  const { rows } = await db.query<{ open_cases: string; pattern_cases: string; large_variances: string }>({
    name: 'bin-context',
    text: `SELECT
       (SELECT count(*) FROM discrepancies d WHERE d.site = $1 AND d.location = $2 AND d.id <> $3 AND d.status <> 'closed'
          AND d.opened_at >= now() - make_interval(days => $5)) AS open_cases,
       (SELECT count(*) FROM discrepancies d WHERE d.site = $1 AND d.location = $2 AND d.id <> $3 AND d.kind = ANY($6::text[])
          AND d.opened_at >= now() - make_interval(days => $5) AND d.resolution IS DISTINCT FROM 'rejected_no_change') AS pattern_cases,
       (SELECT count(*) FROM count_results r WHERE r.site = $1 AND r.location = $2 AND NOT r.within_tolerance
          AND r.recorded_at >= now() - make_interval(days => $5)
          AND split_part(r.id, ':', 3) <> ALL($4::text[])
          AND r.id NOT IN (SELECT 'task:' || t.id FROM count_tasks t WHERE t.owner_id = $3)) AS large_variances`,
    values: [c.site, c.location, c.caseId, c.sourceEventIds, BIN_CONTEXT_DAYS, PATTERN_KINDS],
  });
  const r = rows[0];
  return { openCases: Number(r.open_cases), patternCases: Number(r.pattern_cases), largeVariances: Number(r.large_variances) };
}
