import type { CaseState, Score, ScoreInput } from '../domain';
import { scoreDiscrepancy } from '../domain';
import { appendAudit, type AuditEntry } from '../store/audit-repo';
import { upsertCaseRow } from '../store/case-projection';
import { withTransaction } from '../store/db';
import { getActivePolicy } from '../store/policy-repo';
import type { ActivityDeps } from './deps';

export interface TransitionRecord {
  state: CaseState;
  entries: AuditEntry[];
}

/** Projection, audit and scoring: Reckon's own records. */
export function createRecordActivities(deps: ActivityDeps) {
  return {
    async pinPolicy() {
      return getActivePolicy(deps.db);
    },
    /**
     * One transaction per transition: the read-model row and its audit rows land together or
     * not at all, and a retry with the same sequence numbers changes nothing.
     */
    async recordTransition({ state, entries }: TransitionRecord): Promise<void> {
      const rowVersion = Math.max(state.seq, ...entries.map((e) => e.seq));
      await withTransaction(deps.db, async (c) => {
        await appendAudit(c, state.caseId, entries);
        await upsertCaseRow(c, state, rowVersion);
        if (state.status === 'closed' && state.resolution) {
          const lead = state.score?.causes[0];
          await c.query(
            `INSERT INTO outcomes (case_id, kind, site, resolution, root_cause, true_positive, scorer_version, confidence)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (case_id) DO NOTHING`,
            [state.caseId, state.report.kind, state.report.site, state.resolution, lead?.cause ?? null,
              state.resolution === 'rejected_no_change' ? false : state.resolution === 'escalated_terminal' ? null : true,
              state.score?.scorerVersion ?? null, state.score?.confidence ?? null],
          );
        }
      });
    },
    /** The scorer runs as an activity so a learned scorer (with its own data) can replace it. */
    async scoreCase(input: ScoreInput): Promise<Score> {
      return scoreDiscrepancy(input);
    },
  };
}
