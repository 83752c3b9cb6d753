import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain';

/** One audit chain as an anchor records it: its length and the hash of its last row then. */
export interface ChainLeaf {
  caseId: string;
  length: number;
  headHash: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A leaf's hash; the "leaf:" and "node:" prefixes keep a leaf from passing for an inner node. */
export const leafHash = (l: ChainLeaf): string => sha256(`leaf:${canonicalJson({ caseId: l.caseId, length: l.length, headHash: l.headHash })}`);

/** The hash of no chains at all (an anchor of an empty log). */
export const EMPTY_ROOT = sha256('empty');

/**
 * The Merkle root over chain heads, ordered by case id (so the same heads give the same root
 * whatever order they were read in); an odd node at a level is carried up unchanged.
 */
export function merkleRoot(leaves: ChainLeaf[]): string {
  if (leaves.length === 0) return EMPTY_ROOT;
  let level = [...leaves].sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0)).map(leafHash);
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? sha256(`node:${level[i]}${level[i + 1]}`) : level[i]);
    level = next;
  }
  return level[0];
}
