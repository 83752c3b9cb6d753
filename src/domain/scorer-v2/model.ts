import { brier, calibrate, fitPlatt, IDENTITY, type Calibration } from './calibration';
import { NOT_REAL, ROOT_CAUSES, type RootCauseV2 } from './causes';
import { FEATURE_NAMES, FEATURE_VALUES, type FeatureName, type Features } from './features';
import { AFFINITY, CAUSE_PRIOR, PRIOR_STRENGTH } from './prior';
import { softmax } from './stats';

/**
 * Scorer v2's model: naive Bayes over the fixed root causes. The cause prior and each
 * feature's distribution per cause are Dirichlet posteriors (the documented prior's
 * pseudo-counts plus confirmed outcomes); the confidence is Platt-calibrated on verdicts.
 */
export interface ScorerModel {
  /** 0: the documented prior (no outcomes yet); then one number per fit */
  version: number;
  logPrior: Record<RootCauseV2, number>;
  logLikelihood: Record<RootCauseV2, Record<FeatureName, Record<string, number>>>;
  calibration: Calibration;
  fittedOn: { outcomes: number; causeLabels: number; verdicts: number };
  /** Brier scores of the fitted confidence, the uncalibrated one and the prior model's, on the verdicts */
  metrics: { brier: number; brierRaw: number; brierPrior: number } | null;
}

/** What the case was scored on and what the confidence is a probability of. */
export type Reading = 'duplicate' | 'explained' | 'real';

/** A closed case as the model learns from it. */
export interface LabelledOutcome {
  features: Features;
  /** the confirmed root cause, when an approver's reason code, a rule or a recount names it */
  cause?: RootCauseV2;
  /**
   * Whether the system of record needed a change (a correction was approved); undefined when
   * nobody independent judged the case (auto-resolved, shadow, escalated without a decision).
   */
  changed?: boolean;
}

/** The confidence's reading: a duplicate, a variance explained by documents, or a real one. */
export function readingOf(f: Features): Reading {
  if (f.explanation === 'duplicate') return 'duplicate';
  if (f.explanation === 'full') return 'explained';
  return 'real';
}

const DOCUMENT_CAUSES: Record<Features['document'], RootCauseV2[]> = {
  receipt: ['unposted_document'],
  return: ['unposted_document'],
  allocation: ['open_allocation'],
  transfer: ['in_transit'],
  several: ['unposted_document', 'open_allocation', 'in_transit'],
  none: [],
};

/** Did the scorer's reading hold? A real variance needed a change; a duplicate or explained one did not. */
export function readingHeld(reading: Reading, changed: boolean): boolean {
  return reading === 'real' ? changed : !changed;
}

/** Probabilities over ROOT_CAUSES (same order), summing to 1. */
export function posterior(f: Features, m: ScorerModel): Record<RootCauseV2, number> {
  const logs = ROOT_CAUSES.map((c) => m.logPrior[c] + FEATURE_NAMES.reduce((s, name) => s + m.logLikelihood[c][name][f[name]], 0));
  const ps = softmax(logs);
  return Object.fromEntries(ROOT_CAUSES.map((c, i) => [c, ps[i]])) as Record<RootCauseV2, number>;
}

/** Missing WMS or ERP balances leave the reading on thinner ground: a person should look (as in v1). */
export const MISSING_EVIDENCE_FACTOR = 0.6;

/** The uncalibrated probability that the reading holds. */
export function rawConfidence(f: Features, p: Record<RootCauseV2, number>): number {
  const reading = readingOf(f);
  const mass =
    reading === 'duplicate' ? p.duplicate_report
    : reading === 'explained' ? DOCUMENT_CAUSES[f.document].reduce((s, c) => s + p[c], 0)
    : 1 - NOT_REAL.reduce((s, c) => s + p[c], 0);
  return Math.min(1, Math.max(0, mass)) * (f.evidence === 'partial' ? MISSING_EVIDENCE_FACTOR : 1);
}

export function confidenceOf(f: Features, m: ScorerModel): { raw: number; calibrated: number; probabilities: Record<RootCauseV2, number> } {
  const probabilities = posterior(f, m);
  const raw = rawConfidence(f, probabilities);
  return { raw, calibrated: calibrate(raw, m.calibration), probabilities };
}

type Counts = Record<RootCauseV2, Record<FeatureName, Record<string, number>>>;

function tables(causeCounts: Record<RootCauseV2, number>, featureCounts: Counts): Pick<ScorerModel, 'logPrior' | 'logLikelihood'> {
  const priorTotal = ROOT_CAUSES.reduce((s, c) => s + CAUSE_PRIOR[c] + causeCounts[c], 0);
  const logPrior = {} as ScorerModel['logPrior'];
  const logLikelihood = {} as ScorerModel['logLikelihood'];
  for (const c of ROOT_CAUSES) {
    logPrior[c] = Math.log((CAUSE_PRIOR[c] + causeCounts[c]) / priorTotal);
    logLikelihood[c] = {} as Record<FeatureName, Record<string, number>>;
    for (const name of FEATURE_NAMES) {
      const values = FEATURE_VALUES[name] as readonly string[];
      const weights = AFFINITY[c][name] as Record<string, number> | undefined;
      const w = values.map((v) => weights?.[v] ?? 1);
      const wTotal = w.reduce((a, b) => a + b, 0);
      const alpha = values.map((v, i) => (PRIOR_STRENGTH * w[i]) / wTotal + (featureCounts[c][name][v] ?? 0));
      const total = alpha.reduce((a, b) => a + b, 0);
      logLikelihood[c][name] = Object.fromEntries(values.map((v, i) => [v, Math.log(alpha[i] / total)]));
    }
  }
  return { logPrior, logLikelihood };
}

function zeroCounts(): { causes: Record<RootCauseV2, number>; features: Counts } {
  const causes = {} as Record<RootCauseV2, number>;
  const features = {} as Counts;
  for (const c of ROOT_CAUSES) {
    causes[c] = 0;
    features[c] = Object.fromEntries(FEATURE_NAMES.map((n) => [n, {}])) as Counts[RootCauseV2];
  }
  return { causes, features };
}

/** The documented prior alone: the model before any outcome (version 0). */
export const PRIOR_MODEL: ScorerModel = {
  version: 0,
  ...tables(zeroCounts().causes, zeroCounts().features),
  calibration: IDENTITY,
  fittedOn: { outcomes: 0, causeLabels: 0, verdicts: 0 },
  metrics: null,
};

/**
 * Fits the model from outcomes and the prior. Pure: the same outcomes give the same model.
 * Cause tables learn from outcomes with a confirmed cause; calibration learns from outcomes
 * someone independent judged (a person or a recount), comparing the refitted tables' raw
 * confidence with whether the reading held.
 */
export function fitModel(outcomes: LabelledOutcome[], version: number): ScorerModel {
  const counts = zeroCounts();
  let causeLabels = 0;
  for (const o of outcomes) {
    if (!o.cause) continue;
    causeLabels += 1;
    counts.causes[o.cause] += 1;
    for (const name of FEATURE_NAMES) {
      const bucket = counts.features[o.cause][name];
      bucket[o.features[name]] = (bucket[o.features[name]] ?? 0) + 1;
    }
  }
  const fitted: ScorerModel = { ...PRIOR_MODEL, ...tables(counts.causes, counts.features), version };
  const judged = outcomes.filter((o): o is LabelledOutcome & { changed: boolean } => o.changed !== undefined);
  const pairs = judged.map((o) => ({
    raw: rawConfidence(o.features, posterior(o.features, fitted)),
    prior: confidenceOf(o.features, PRIOR_MODEL).calibrated,
    y: readingHeld(readingOf(o.features), o.changed),
  }));
  const calibration = pairs.length > 0 ? fitPlatt(pairs) : IDENTITY;
  return {
    ...fitted,
    calibration,
    fittedOn: { outcomes: outcomes.length, causeLabels, verdicts: pairs.length },
    metrics:
      pairs.length > 0
        ? {
            brier: brier(pairs.map((p) => ({ p: calibrate(p.raw, calibration), y: p.y }))),
            brierRaw: brier(pairs.map((p) => ({ p: p.raw, y: p.y }))),
            brierPrior: brier(pairs.map((p) => ({ p: p.prior, y: p.y }))),
          }
        : null,
  };
}

/** A new fit once the outcomes since the last one reach this share of those it was fitted on. */
export const REFIT_SHARE = 0.05;

/**
 * Whether outcomes that arrived since the last fit are worth a new one: at least one, and at
 * least REFIT_SHARE of the outcomes the last fit used (a busy site would otherwise store a fit
 * per outcome while each moves the model by a hair).
 */
export function refitDue(fittedOn: number, since: number): boolean {
  return since >= Math.max(1, Math.ceil(fittedOn * REFIT_SHARE));
}
