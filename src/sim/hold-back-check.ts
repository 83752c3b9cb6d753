import type { CaseDetail, CaseSummary } from './client';

/** The engine's hold-back window and pattern kinds (src/domain/bin-context.ts, src/store/bin-context.ts). */
const WINDOW_MS = 14 * 86_400_000;
const PATTERN_KINDS = new Set(['shrink_pattern', 'drift', 'mis_scan']);

export interface EvidenceBreach {
  id: string;
  kind: string;
  why: string;
}

/**
 * Automatic adjustments made although the bin's recent evidence said "maybe something bigger":
 * another case at the bin open while the case was decided, or a pattern case at the bin in the
 * 14 days before. Judged from the run's cases, independently of the engine's own check.
 */
export function adjustmentsAgainstEvidence(autoResolved: CaseDetail[], cases: CaseSummary[]): EvidenceBreach[] {
  const out: EvidenceBreach[] = [];
  for (const d of autoResolved) {
    if (d.decision?.correction !== 'adjust' || !d.location) continue;
    const opened = Date.parse(d.openedAt);
    const decided = Date.parse(d.closedAt ?? d.openedAt);
    const others = cases.filter((c) => c.id !== d.id && c.site === d.site && c.location === d.location && Date.parse(c.openedAt) < decided && Date.parse(c.openedAt) >= opened - WINDOW_MS);
    const open = others.filter((c) => c.closedAt === null || Date.parse(c.closedAt) > opened);
    const patterns = others.filter((c) => PATTERN_KINDS.has(c.kind) && c.resolution !== 'rejected_no_change');
    if (open.length === 0 && patterns.length === 0) continue;
    const named = [...new Set([...open, ...patterns])].map((c) => `${c.kind} ${c.id}`).join(', ');
    out.push({ id: d.id, kind: d.kind, why: `adjusted by ${d.decision.adjustQty ?? 0} while the bin had ${named}` });
  }
  return out;
}
