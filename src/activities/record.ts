import { casePolicy, effectivePolicy, type CaseState, type PinnedPolicy, type WriteBasis } from '../domain';
import { appendAudit, auditLockName, type AuditEntry } from '../store/audit-repo';
import { caseChangeOf, publishCaseChange, type CaseChange } from '../store/case-feed';
import { addCaseSourceEvents, storedParts, upsertCaseRow, type KeptPart } from '../store/case-projection';
import type { PoolClient } from 'pg';
import { withTransaction } from '../store/db';
import { recordOutcome } from '../store/outcome-repo';
import { ApplicationFailure } from '@temporalio/activity';
import { getActivePolicy, getPolicyVersion } from '../store/policy-repo';
import { keepWriteBasis, keptWriteBasis } from '../store/write-basis';
import { projectTriage } from '../triage/project';
import type { ActivityDeps } from './deps';

export interface TransitionRecord {
  state: CaseState;
  entries: AuditEntry[];
  /**
   * Parts left out of `state` because an earlier transition of this run stored them unchanged
   * (the evidence and the score are most of a case's size): the read-model row keeps them.
   */
  kept?: KeptPart[];
  /** source event ids merged since the last transition (the state keeps only the latest) */
  newSourceEventIds?: string[];
  /** the basis of a close recorded in the task that opened the case, kept with it (keepWriteBasis) */
  basis?: { runId: string; basis: WriteBasis };
}

/** Projection, audit and outcomes: Reckon's own records. */
export function createRecordActivities(deps: ActivityDeps) {
  const transitions = transitionRecorder(deps);
  return {
    /**
     * The active version as it applies at the site (its override layer merged in; docs/policy.md);
     * with a case's kind, only the case's slice of it (casePolicy).
     */
    async pinPolicy(site?: string, kind?: string) {
      return pinnedFor(await getActivePolicy(deps.db), site, kind);
    },
    /** A stored policy version, for an admin re-pinning open cases (the case's slice, with its kind). */
    async loadPolicyVersion(version: number, site?: string, kind?: string) {
      const pinned = await getPolicyVersion(deps.db, version);
      if (!pinned) throw ApplicationFailure.create({ type: 'PolicyNotFound', message: `no policy version ${version}`, nonRetryable: true });
      return pinnedFor(pinned, site, kind);
    },
    /** What this run's automatic write was decided on, if it kept a basis (postAutoAdjustment). */
    async keptWriteBasis(runId: string) {
      return (await keptWriteBasis(deps.db, runId)) ?? null;
    },
    /**
     * One transaction per transition: the read-model row and its audit rows land together or
     * not at all, and a retry with the same sequence numbers changes nothing.
     */
    async recordTransition(t: TransitionRecord): Promise<void> {
      const written = await withTransaction(deps.db, (c) => transitions.inTransaction(c, t, true), [auditLockName(t.state.caseId)]);
      await transitions.committed(t, written);
    },
  };
}

/**
 * One transition's records, in the caller's transaction, then announced once it committed:
 * recordTransition's, and the automatic correction's that records its close with it.
 */
export function transitionRecorder(deps: ActivityDeps) {
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
    /** The read-model row and its audit rows together; a retry with the same sequence numbers changes nothing. Whether the row was written. */
    async inTransaction(c: PoolClient, { state, entries, kept = [], newSourceEventIds = [], basis }: TransitionRecord, caseLocked = false): Promise<boolean> {
      if (basis) await keepWriteBasis(c, basis.runId, state.caseId, basis.basis);
      await appendAudit(c, state.caseId, entries, { locked: caseLocked });
      await addCaseSourceEvents(c, state.caseId, newSourceEventIds);
      const { written, stored } = await upsertCaseRow(c, state, rowVersionOf(state, entries), kept);
      // triage and the outcome read the whole state: the kept parts as the row holds them
      // (read back only when the upsert did not return them: a retry that wrote nothing)
      const whole = async () => (kept.length === 0 ? state : { ...state, ...pick(stored ?? (await storedParts(c, state.caseId)), kept) });
      // priority and incidents move with the row, in its transaction; a case closed in its first
      // record (its opening entry is in it) never rested, so it joined no incident to leave
      const closedUnrested = state.status === 'closed' && entries.some((e) => e.seq === 1);
      if (written && !closedUnrested) await projectTriage(c, await whole(), deps.evidenceLookbackDays);
      if (state.status === 'closed') await recordOutcome(c, await whole());
      return written;
    },
    async committed({ state, entries }: TransitionRecord, written: boolean): Promise<void> {
      const change = caseChangeOf(state, rowVersionOf(state, entries));
      // a retry of a committed transition is not counted again; it is published again (at least once)
      if (written) deps.metrics?.transitionRecorded(change, entries.map((e) => e.action));
      await announce(change);
    },
  };
}

function rowVersionOf(state: CaseState, entries: AuditEntry[]): number {
  return Math.max(state.seq, ...entries.map((e) => e.seq));
}

function pinnedFor(stored: PinnedPolicy, site: string | undefined, kind: string | undefined): PinnedPolicy {
  const effective = effectivePolicy(stored, site);
  return site && kind ? casePolicy(effective, site, kind) : effective;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = o[k];
  return out;
}
