import type { PinnedPolicy, Score, WriteBasis } from '../domain';
import { evidenceOf, scorerOf } from '../domain/core';
import type { ActivityDeps } from './deps';
import type { EvidenceReads, EvidenceReadsQuery } from './evidence';
import type { ScoreCaseInput } from './scoring';

/** A new case's first look: its stock and documents to read, and its own part of the score's input. */
export interface OpeningQuery extends EvidenceReadsQuery {
  /** the score's input without the evidence and the scorer (both found here) */
  scoring: Omit<ScoreCaseInput, 'evidence' | 'scorer'>;
  /** the run, when it may write in this task: the basis an earlier attempt kept is looked up */
  runId?: string;
}

export interface OpeningReads {
  /** the active policy as it applies at the case's site, the case's slice of it */
  policy: PinnedPolicy;
  evidence: EvidenceReads;
  /** present when every source answered and the pinned policy's scorer ran */
  score?: Score;
  /** what an earlier attempt of this task wrote on (it decides the case, not the reads above) */
  kept?: WriteBasis;
}

/** What the opening composes: the same calls the workflow makes one by one. */
export interface OpeningParts {
  pinPolicy(site?: string, kind?: string): Promise<PinnedPolicy>;
  readEvidence(q: EvidenceReadsQuery): Promise<EvidenceReads>;
  scoreCase(input: ScoreCaseInput): Promise<Score>;
  keptWriteBasis(runId: string): Promise<WriteBasis | null>;
  loadPolicyVersion(version: number, site?: string, kind?: string): Promise<PinnedPolicy>;
}

/**
 * `readOpening`: the policy pin, every evidence read and the score of a new case in one call
 * (LEAN_CASE_PATCH), so its first workflow task runs one local activity, not three. Tried once:
 * if it fails, the workflow takes the same steps one at a time with their own retries; a source
 * that failed here is asked again on its own, and the case is then scored by the workflow.
 */
export function createOpeningActivities(deps: Pick<ActivityDeps, 'logger'>, parts: OpeningParts) {
  return {
    async readOpening(q: OpeningQuery): Promise<OpeningReads> {
      const [policy, evidence, kept] = await Promise.all([
        parts.pinPolicy(q.key.site, q.scoring.kind),
        parts.readEvidence(q),
        q.runId ? parts.keptWriteBasis(q.runId) : null,
      ]);
      if (kept) return { policy: await parts.loadPolicyVersion(kept.policyVersion, q.key.site, q.scoring.kind), evidence, kept };
      if (evidence.failed.length > 0) return { policy, evidence };
      try {
        const score = await parts.scoreCase({ ...q.scoring, evidence: evidenceOf(evidence.found), scorer: scorerOf(policy.document, q.key.site) });
        return { policy, evidence, score };
      } catch (err) {
        // the workflow scores it with the scoring step's retries
        deps.logger.warn({ err: err instanceof Error ? err.message : String(err), caseId: q.scoring.caseId }, 'opening score failed; the case is scored on its own');
        return { policy, evidence };
      }
    },
  };
}
