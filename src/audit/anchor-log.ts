import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalJson } from '../domain';
import type { Config } from '../config';
import { merkleRoot, type ChainLeaf } from './merkle';

/**
 * The anchor log: append-only JSON lines outside the database, each a Merkle root over every
 * audit chain head at one moment, linked to the line before by its hash. Next to it, in
 * `<file>.leaves/<root>.jsonl`, the heads themselves, so a check can name the chain that differs
 * (the root proves the leaves file; only the newest few are kept).
 */
export interface AnchorRecord {
  /** the anchoring run (its workflow id), so a retried append adds nothing */
  anchorId: string;
  at: string;
  root: string;
  chains: number;
  prevAnchorHash: string;
  anchorHash: string;
}

export const FIRST_ANCHOR_PREV = '0'.repeat(64);
const LEAVES_KEPT = 3;

export const anchorFilePath = (config: Pick<Config, 'AUDIT_ANCHOR_FILE' | 'RECKON_DATA_DIR'>): string =>
  config.AUDIT_ANCHOR_FILE || join(config.RECKON_DATA_DIR, 'audit-anchors.jsonl');

const leavesDir = (file: string) => `${file}.leaves`;
const leavesPath = (file: string, root: string) => join(leavesDir(file), `${root}.jsonl`);

export function anchorHashOf(r: Omit<AnchorRecord, 'anchorHash'>): string {
  const { anchorId, at, root, chains, prevAnchorHash } = r;
  return createHash('sha256').update(canonicalJson({ anchorId, at, root, chains, prevAnchorHash })).digest('hex');
}

/** Every record of the log, oldest first; a line that is not a record is a problem, not a crash. */
export function readAnchors(file: string): { records: AnchorRecord[]; problems: string[] } {
  if (!existsSync(file)) return { records: [], problems: [] };
  const records: AnchorRecord[] = [];
  const problems: string[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      records.push(JSON.parse(line) as AnchorRecord);
    } catch {
      problems.push(`anchor log line ${i + 1} is not JSON`);
    }
  });
  return { records, problems };
}

/** Each record's hash holds and names the record before it: a line edited or removed shows. */
export function checkAnchorLinks(records: AnchorRecord[]): string[] {
  const problems: string[] = [];
  let prev = FIRST_ANCHOR_PREV;
  for (const [i, r] of records.entries()) {
    if (r.prevAnchorHash !== prev) problems.push(`anchor ${i + 1} (${r.anchorId}) does not follow the anchor before it`);
    if (anchorHashOf(r) !== r.anchorHash) problems.push(`anchor ${i + 1} (${r.anchorId}) was altered: its hash does not hold`);
    prev = r.anchorHash;
  }
  return problems;
}

/** The heads an anchor recorded, or undefined when its leaves file is gone or does not give its root. */
export function readLeaves(file: string, record: AnchorRecord): ChainLeaf[] | undefined {
  const path = leavesPath(file, record.root);
  if (!existsSync(path)) return undefined;
  const leaves = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ChainLeaf);
  return merkleRoot(leaves) === record.root && leaves.length === record.chains ? leaves : undefined;
}

function writeDurably(path: string, text: string, flag: 'a' | 'w'): void {
  const fd = openSync(path, flag, 0o640);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends one anchor over `leaves`. The same anchorId again (a retried activity) returns the
 * record already written. The leaves file is written first, so a record never names missing leaves.
 */
export function appendAnchor(file: string, anchorId: string, leaves: ChainLeaf[], at: Date = new Date()): AnchorRecord {
  const { records } = readAnchors(file);
  const done = records.find((r) => r.anchorId === anchorId);
  if (done) return done;
  const root = merkleRoot(leaves);
  mkdirSync(leavesDir(file), { recursive: true });
  const tmp = `${leavesPath(file, root)}.tmp`;
  writeDurably(tmp, leaves.map((l) => `${JSON.stringify({ caseId: l.caseId, length: l.length, headHash: l.headHash })}\n`).join(''), 'w');
  renameSync(tmp, leavesPath(file, root));
  const last = records.at(-1);
  const body = { anchorId, at: at.toISOString(), root, chains: leaves.length, prevAnchorHash: last?.anchorHash ?? FIRST_ANCHOR_PREV };
  const record: AnchorRecord = { ...body, anchorHash: anchorHashOf(body) };
  mkdirSync(dirname(file), { recursive: true });
  // 'a': O_APPEND, each record lands whole at the end whoever else has the file open
  writeDurably(file, `${JSON.stringify(record)}\n`, 'a');
  pruneLeaves(file, [...records, record]);
  return record;
}

/** Keeps the leaves of the newest anchors only: the log itself keeps every root. */
function pruneLeaves(file: string, records: AnchorRecord[]): void {
  const keep = new Set(records.slice(-LEAVES_KEPT).map((r) => `${r.root}.jsonl`));
  for (const name of readdirSync(leavesDir(file))) {
    if (name.endsWith('.jsonl') && !keep.has(name)) rmSync(join(leavesDir(file), name), { force: true });
  }
}
