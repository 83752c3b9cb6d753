import { NOT_REAL } from '../domain/scorer-v2/causes';
import type { CaseDetail } from './client';

/**
 * The engine's forecast the scorecard checks against the ground truth: the probability that a
 * case is real — that the system and the shelf really disagree, or a document really is late —
 * which is one minus what scorer v2 gives the causes of a case that is not real (a counting
 * error, a duplicate report). It is the case's latest score, as the case page shows it when
 * the case comes to rest. Null when the case carries no root-cause probabilities (rules-v1
 * gives none: its confidence is about its explanation, not about the case being real).
 */
export function realProbability(d: Pick<CaseDetail, 'rootCauses'>): number | null {
  const causes = d.rootCauses ?? [];
  if (causes.length === 0) return null;
  const total = causes.reduce((s, c) => s + c.probability, 0);
  if (!(total > 0)) return null;
  const notReal = causes.filter((c) => (NOT_REAL as readonly string[]).includes(c.cause)).reduce((s, c) => s + c.probability, 0);
  // probabilities come rounded to four places: normalise, so a case is never below 0 or above 1
  return Math.min(1, Math.max(0, 1 - notReal / total));
}
