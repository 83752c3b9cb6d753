import { assess, canonicalJson, evidenceOf, scorerOf, type Score } from '../domain/core';
import type { ScoreCaseInput } from '../activities/scoring';
import { localScoring, scoring } from './activity-proxies';
import type { CaseContext } from './case-context';

/** The case's own part of the score's input: everything but the evidence and the scorer. */
export function caseScoreInput(ctx: CaseContext): Omit<ScoreCaseInput, 'evidence' | 'scorer'> {
  const s = ctx.state;
  return {
    kind: s.report.kind,
    expectedQty: s.expectedQty,
    observedQty: s.observedQty,
    reportedQty: s.report.observedQty,
    unitCost: s.report.unitCost,
    // a copy: a report merged later adds to the state's list, and the opening's input must not follow
    sourceEventIds: [...s.sourceEventIds],
    recounts: s.recounts.filter((r) => r.countedQty !== undefined).map((r) => ({ countedQty: r.countedQty! })),
    caseId: s.caseId,
    site: s.report.site,
    sku: s.report.sku,
    location: s.report.location,
    causedBy: s.report.causedBy,
  };
}

/** Scores the case's evidence with the pinned policy's scorer and assesses tolerance and severity; audited as `scored`. */
export async function scoreAndAssess(ctx: CaseContext, local = false): Promise<void> {
  const input = scoreInput(ctx);
  // local: a local activity (LOCAL_AUTOMATIC_STEPS_PATCH, checked by the caller)
  assessScored(ctx, readyScore(ctx, input) ?? (await (local ? localScoring : scoring).scoreCase(input)));
}

/**
 * scoreAndAssess without a promise when the score is at hand (a one-write run's opening read
 * scored it): each promise a workflow makes costs the SDK a stack capture.
 */
export function scoreAndAssessNow(ctx: CaseContext): Promise<void> | void {
  const input = scoreInput(ctx);
  const ready = readyScore(ctx, input);
  if (ready) return assessScored(ctx, ready);
  return localScoring.scoreCase(input).then((score) => assessScored(ctx, score));
}

function scoreInput(ctx: CaseContext): ScoreCaseInput {
  const s = ctx.state;
  return {
    ...caseScoreInput(ctx),
    evidence: s.evidence ?? { missing: ['all'] },
    // the pinned policy's scorer; parameters of a learned scorer stay inside the activity's result
    scorer: scorerOf(ctx.policy!.document, s.report.site),
  };
}

/** The score an earlier attempt of this task wrote on (CaseContext.kept), else the opening read's. */
function readyScore(ctx: CaseContext, input: ScoreCaseInput): Score | undefined {
  const opened = openingScore(ctx, input);
  return ctx.kept?.score ?? opened;
}

function assessScored(ctx: CaseContext, score: Score): void {
  const s = ctx.state;
  const policy = ctx.policy!.document;
  s.score = score;
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

/**
 * The score the opening read computed (a lean case), if it was computed from this very input:
 * a report merged, a pattern grown or evidence added since then is scored again.
 */
function openingScore(ctx: CaseContext, input: ScoreCaseInput): Score | undefined {
  const opening = ctx.opening;
  ctx.opening = undefined;
  if (!opening?.score) return undefined;
  const scored: ScoreCaseInput = { ...opening.sent, evidence: evidenceOf(opening.evidence.found), scorer: scorerOf(opening.policy.document, input.site!) };
  return canonicalJson(scored) === canonicalJson(input) ? opening.score : undefined;
}
