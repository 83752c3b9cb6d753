import type { Pool } from 'pg';
import { listChainHeads, rowHashesAt } from '../store/audit-anchor-repo';
import { appendAnchor, checkAnchorLinks, readAnchors, readLeaves, type AnchorRecord } from './anchor-log';

/** Writes an anchor over every chain head now (idempotent per anchorId). */
export async function anchorAuditChains(db: Pool, file: string, anchorId: string): Promise<AnchorRecord> {
  return appendAnchor(file, anchorId, await listChainHeads(db));
}

export type AnchorProblemKind =
  /** the chain's row at the anchored length differs from what the anchor saw: rewritten */
  | 'anchor_mismatch'
  /** the anchored row is gone: the chain was cut below its anchored length, or deleted */
  | 'anchor_row_missing';

export interface AnchorProblem {
  caseId: string;
  seq: number;
  problem: AnchorProblemKind;
}

export interface AnchorVerdict {
  /** the anchor checked against (the newest), or null when none was written yet */
  anchor: AnchorRecord | null;
  /** anchors in the log */
  anchors: number;
  /** chains held against the anchor */
  chainsChecked: number;
  problems: AnchorProblem[];
  /** the log itself: an edited, removed or unreadable record, a leaves file that does not give its root */
  logProblems: string[];
}

/**
 * Holds every chain against the newest anchor: the row each chain had as its head then must
 * still be there with the same hash. A consistent rewrite (rows changed and re-hashed, head
 * and MAC too) passes the chain check but not this one, since the anchor lives outside the database.
 */
export async function verifyAgainstAnchor(db: Pool, file: string): Promise<AnchorVerdict> {
  const { records, problems: unreadable } = readAnchors(file);
  const logProblems = [...unreadable, ...checkAnchorLinks(records)];
  const anchor = records.at(-1) ?? null;
  const verdict: AnchorVerdict = { anchor, anchors: records.length, chainsChecked: 0, problems: [], logProblems };
  if (!anchor) return verdict;
  const leaves = readLeaves(file, anchor);
  if (!leaves) {
    logProblems.push(`the leaves of anchor ${anchor.anchorId} are missing or do not give its root ${anchor.root}`);
    return verdict;
  }
  const now = await rowHashesAt(db, leaves);
  for (const l of leaves) {
    const hash = now.get(l.caseId);
    if (hash === undefined) verdict.problems.push({ caseId: l.caseId, seq: l.length, problem: 'anchor_row_missing' });
    else if (hash !== l.headHash) verdict.problems.push({ caseId: l.caseId, seq: l.length, problem: 'anchor_mismatch' });
  }
  verdict.chainsChecked = leaves.length;
  return verdict;
}
