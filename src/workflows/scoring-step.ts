import { assess, scorerOf } from '../domain/core';
import { localScoring, scoring } from './activity-proxies';
import type { CaseContext } from './case-context';

/** Scores the case's evidence with the pinned policy's scorer and assesses tolerance and severity; audited as `scored`. */
export async function scoreAndAssess(ctx: CaseContext, local = false): Promise<void> {
  const s = ctx.state;
  const policy = ctx.policy!.document;
  // local: a local activity (LOCAL_AUTOMATIC_STEPS_PATCH, checked by the caller)
  s.score = await (local ? localScoring : scoring).scoreCase({
    kind: s.report.kind,
    expectedQty: s.expectedQty,
    observedQty: s.observedQty,
    reportedQty: s.report.observedQty,
    unitCost: s.report.unitCost,
    sourceEventIds: s.sourceEventIds,
    recounts: s.recounts.filter((r) => r.countedQty !== undefined).map((r) => ({ countedQty: r.countedQty! })),
    evidence: s.evidence ?? { missing: ['all'] },
    // the pinned policy's scorer; parameters of a learned scorer stay inside the activity's result
    scorer: scorerOf(policy, s.report.site),
    caseId: s.caseId,
    site: s.report.site,
    sku: s.report.sku,
    location: s.report.location,
    causedBy: s.report.causedBy,
  });
  s.assessment = assess(policy, s.report, { expectedQty: s.expectedQty, observedQty: s.observedQty });
  s.severity = s.assessment.severity;
  ctx.audit('scored', 'scorer', s.score.scorerVersion, {
    confidence: s.score.confidence,
    causes: s.score.causes.map((c) => ({ cause: c.cause, probability: c.probability, explainedQty: c.explainedQty })),
    // scorer v2: its root-cause probabilities and the factors behind the leading one
    ...(s.score.rootCauses ? { rootCauses: s.score.rootCauses.slice(0, 3), topFactors: s.score.topFactors } : {}),
    explanation: s.score.explanation,
    severity: s.severity,
    withinTolerance: s.assessment.tolerance.within,
    valueAtRisk: s.assessment.valueAtRisk,
  });
}
