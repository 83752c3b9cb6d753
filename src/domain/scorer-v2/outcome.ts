import type { CaseState } from '../case';
import { causeOfReasonCode, RULE_TO_CAUSE, type RootCauseV2 } from './causes';
import { OBSERVED_BY_COUNT, type Features } from './features';
import type { LabelledOutcome } from './model';

/** How a closed case's confirmed cause is known. */
export type CauseSource = 'reason_code' | 'rule' | 'recount';

export interface CaseOutcome {
  resolution: string;
  /** the detection was right (not rejected); null when nobody decided (shadow, ladder exhausted) */
  truePositive: boolean | null;
  confirmedCause: RootCauseV2 | null;
  causeSource: CauseSource | null;
  /** the system of record needed a change, as an independent verdict (a person or a recount) */
  changed: boolean | null;
  predictedCause: string | null;
  features: Features | null;
  shadow: boolean;
}

/**
 * What a closed case teaches the scorer (docs/scorer-v2.md): an
 * approval confirms the case and, through its reason code, the cause; a rejection marks a
 * false positive; a recount that found the system right is a counting error; an automatic
 * resolution names its rule's cause but is no independent verdict, so calibration skips it;
 * shadow cases and exhausted ladders teach nothing.
 */
export function outcomeOf(s: CaseState): CaseOutcome | null {
  if (s.status !== 'closed' || !s.resolution) return null;
  const base = {
    resolution: s.resolution,
    predictedCause: s.score?.rootCauses?.[0]?.cause ?? s.score?.causes[0]?.cause ?? null,
    features: (s.score?.model?.features as Features | undefined) ?? null,
    shadow: s.shadow === true,
  };
  const none = { confirmedCause: null, causeSource: null } as const;
  switch (s.resolution) {
    case 'approved_adjusted': {
      const cause = causeOfReasonCode(s.approvals[0]?.reasonCode);
      return { ...base, truePositive: true, changed: (s.adjustment?.qty ?? 0) !== 0, ...(cause ? { confirmedCause: cause, causeSource: 'reason_code' } : none) };
    }
    case 'rejected_no_change': {
      const cause = causeOfReasonCode(s.resolutionCode);
      return { ...base, truePositive: false, changed: false, ...(cause ? { confirmedCause: cause, causeSource: 'reason_code' } : none) };
    }
    case 'resolved_by_recount':
      // a recount shows a counting error only where the report's observation was a count; for a
      // negative balance it shows the shelf is not below zero — the system was wrong, not a count
      if (!OBSERVED_BY_COUNT.includes(s.report.kind)) return { ...base, truePositive: true, changed: null, ...none };
      return { ...base, truePositive: true, changed: false, confirmedCause: 'count_error', causeSource: 'recount' };
    case 'auto_resolved': {
      const rule = s.decision?.action === 'auto_resolve' ? s.decision.rule : undefined;
      const cause = rule ? RULE_TO_CAUSE[rule] : undefined;
      return { ...base, truePositive: true, changed: null, ...(cause ? { confirmedCause: cause, causeSource: 'rule' } : none) };
    }
    default:
      // shadowed, escalated_terminal: nobody decided
      return { ...base, truePositive: null, changed: null, ...none };
  }
}

/** An outcome as the model fit reads it; null when it has no features (scored by v1) or teaches nothing. */
export function labelled(o: Pick<CaseOutcome, 'features' | 'confirmedCause' | 'changed' | 'shadow'>): LabelledOutcome | null {
  if (!o.features || o.shadow) return null;
  if (!o.confirmedCause && o.changed === null) return null;
  return { features: o.features, cause: o.confirmedCause ?? undefined, changed: o.changed ?? undefined };
}
