import type { DiscrepancyReport } from './discrepancy';
import type { AutoRuleName, PolicyDocument, Severity } from './policy';
import type { Evidence } from './evidence';
import type { Score } from './scorer';
import { isBookedPattern } from './authority';
import { processOf, valueAtRisk, varianceOf } from './quantities';
import { judgeTolerance, severityFor, toleranceFor, zoneOf, type ToleranceVerdict } from './tolerance';

export type Correction = 'adjust' | 'resync' | 'suppress';

export type Decision =
  | { action: 'auto_resolve'; rule: AutoRuleName; correction: Correction; adjustQty: number; reason: string }
  | { action: 'resolved_by_recount'; reason: string }
  | { action: 'recount'; reason: string }
  | { action: 'review'; reason: string }
  | { action: 'hold_then_review'; reason: string };

/**
 * What an automatic write to the WMS/ERP was decided on. A case that writes in the same workflow
 * task as it reads keeps this in Reckon's store before the write goes out, so a task run again
 * closes on it, not on stock the write has since moved.
 */
export interface WriteBasis {
  /** the pinned version: a case's slice of it is derived from the stored version alone */
  policyVersion: number;
  evidence: Evidence;
  score: Score;
  decision: Decision;
}

/** The failure of a write whose task kept a different basis before (an earlier attempt): the task is run again. */
export const WRITE_BASIS_CHANGED = 'WriteBasisChanged';

export interface Assessment {
  variance: number;
  valueAtRisk: number;
  tolerance: ToleranceVerdict;
  severity: Severity;
}

/** Current quantities of a case: the latest recount replaces the first observation. */
export interface CaseQuantities {
  expectedQty: number;
  observedQty: number;
}

export function assess(policy: PolicyDocument, report: DiscrepancyReport, q: CaseQuantities): Assessment {
  const variance = varianceOf(q);
  const limits = toleranceFor(policy, {
    site: report.site,
    zone: zoneOf(report.location),
    process: processOf(report),
    skuClass: report.skuClass,
  });
  const tolerance = judgeTolerance(limits, q.expectedQty, variance, report.unitCost);
  const value = valueAtRisk(variance, report.unitCost);
  // negative stock is wrong whatever its size: it never counts as inside tolerance
  const within = tolerance.within && q.observedQty >= 0;
  return {
    variance,
    valueAtRisk: value,
    tolerance: { ...tolerance, within },
    severity: severityFor(policy, report.kind, within, value),
  };
}

export interface DecideInput {
  policy: PolicyDocument;
  report: DiscrepancyReport;
  quantities: CaseQuantities;
  assessment: Assessment;
  score: Score;
  recountsDone: number;
  /** shadow mode and similar: never write to the system of record */
  autoResolveAllowed?: boolean;
}

/**
 * The policy's choice (docs/architecture.md, "How a case becomes a correction"), in this order: a recount that found the system
 * right closes; an enabled rule within its confidence and value closes; critical stops the line;
 * a count kind with recounts left is recounted; everything else goes to people.
 */
export function decide(input: DecideInput): Decision {
  const { policy, report, quantities, assessment, score, recountsDone } = input;
  if (recountsDone > 0 && assessment.variance === 0) {
    return { action: 'resolved_by_recount', reason: `the recount found ${quantities.observedQty}, as the system says` };
  }

  const rule = score.candidateRule ? policy.autoResolution.rules.find((r) => r.name === score.candidateRule && r.enabled) : undefined;
  const allowed = input.autoResolveAllowed !== false;
  if (rule && allowed) {
    const confident = score.confidence >= rule.minConfidence;
    const affordable = assessment.valueAtRisk <= rule.maxValue;
    if (confident && affordable) {
      if (score.recommendedAction === 'suppress') {
        return { action: 'auto_resolve', rule: rule.name, correction: 'suppress', adjustQty: 0, reason: score.explanation };
      }
      if (score.recommendedAction === 'resync' && score.fullyExplained) {
        return { action: 'auto_resolve', rule: rule.name, correction: 'resync', adjustQty: 0, reason: score.explanation };
      }
      // a booked pattern's variance is stock already adjusted out: never posted back automatically
      if (rule.name === 'count_within_tolerance' && assessment.tolerance.within && !score.holdBack && !isBookedPattern(report.kind)) {
        return {
          action: 'auto_resolve',
          rule: rule.name,
          correction: 'adjust',
          adjustQty: assessment.variance,
          reason: `variance ${assessment.variance} is inside tolerance (${describeLimits(assessment)}) with confidence ${score.confidence}`,
        };
      }
    }
  }

  if (assessment.severity === 'critical') {
    return { action: 'hold_then_review', reason: `value at risk ${assessment.valueAtRisk} is critical: hold the stock, then review` };
  }
  const recountable = policy.recounts.kinds.includes(report.kind) && report.location !== undefined;
  // a variance inside tolerance that was held back goes to people: a recount would find it again
  const heldBack = score.holdBack && assessment.tolerance.within ? score.holdBack : undefined;
  if (recountable && recountsDone < policy.recounts.automatic && !heldBack) {
    return { action: 'recount', reason: `variance ${assessment.variance} is beyond tolerance; automatic recount ${recountsDone + 1} of ${policy.recounts.automatic}` };
  }
  if (heldBack) return { action: 'review', reason: `variance ${assessment.variance} is inside tolerance, but ${heldBack}` };
  return { action: 'review', reason: score.fullyExplained ? score.explanation : `needs a person: ${score.explanation}` };
}

function describeLimits(a: Assessment): string {
  const l = a.tolerance.limits;
  return `${l.units} units or ${l.pct}%, at most ${l.value} in value`;
}
