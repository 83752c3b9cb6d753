import type { CaseState } from '../domain';
import { appendAudit, type AuditEntry } from '../store/audit-repo';
import { caseChangeOf, publishCaseChange, type CaseChange } from '../store/case-feed';
import { upsertCaseRow } from '../store/case-projection';
import { withTransaction } from '../store/db';
import { recordOutcome } from '../store/outcome-repo';
import { getActivePolicy } from '../store/policy-repo';
import { projectTriage } from '../triage/project';
import type { ActivityDeps } from './deps';

export interface TransitionRecord {
  state: CaseState;
  entries: AuditEntry[];
}

/** Projection, audit and outcomes: Reckon's own records. */
export function createRecordActivities(deps: ActivityDeps) {
  /** After the commit, never instead of it: a feed that is down costs a live update, not the transition. */
  async function announce(change: CaseChange): Promise<void> {
    if (!deps.redis) return;
    try {
      await publishCaseChange(deps.redis, change);
      deps.metrics?.casePublished(true);
    } catch (err) {
      deps.metrics?.casePublished(false);
      deps.logger.warn({ err: err instanceof Error ? err.message : String(err), caseId: change.id }, 'case change not published on the live feed');
    }
  }

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
      const changed = await withTransaction(deps.db, async (c) => {
        await appendAudit(c, state.caseId, entries);
        const written = await upsertCaseRow(c, state, rowVersion);
        // priority and incidents move with the row, in its transaction
        if (written) await projectTriage(c, state, deps.evidenceLookbackDays);
        if (state.status === 'closed') await recordOutcome(c, state);
        return written;
      });
      const change = caseChangeOf(state, rowVersion);
      // a retry of a committed transition is not counted again; it is published again (at least once)
      if (changed) deps.metrics?.transitionRecorded(change, entries.map((e) => e.action));
      await announce(change);
    },
  };
}
