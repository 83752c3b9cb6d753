import { scoreDiscrepancy, type Score, type ScoreInput } from '../scorer';
import { CAUSE_WORDS, ROOT_CAUSES, type RootCauseV2 } from './causes';
import { deriveFeatures, FEATURE_NAMES, type FeatureFacts, type FeatureName, type Features, type PeerContext } from './features';
import { confidenceOf, readingOf, type ScorerModel } from './model';
import { round3 } from './stats';

export const SCORER_V2 = 'bayes-v2';

export function scorerVersionOf(model: Pick<ScorerModel, 'version'>): string {
  return `${SCORER_V2}.${model.version}`;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** One feature's value in plain words (null: nothing worth saying). */
function words(name: FeatureName, f: Features, facts: FeatureFacts): string | null {
  switch (name) {
    case 'kind':
      return `a ${f.kind.replace(/_/g, ' ')} case`;
    case 'direction':
      return f.direction === 'loss' ? `stock is missing (${fmt(facts.variance)})` : `there is more stock than the system says (+${fmt(facts.variance)})`;
    case 'explanation':
      if (f.explanation === 'duplicate') return 'the same source events were already handled by an earlier case';
      if (f.explanation === 'none') return 'no open document explains the variance';
      return `open documents explain ${f.explanation === 'full' ? 'the whole' : 'part of the'} variance: ${facts.documents.join('; ')}`;
    case 'document':
      return f.document === 'none' ? null : `open documents: ${facts.documents.join('; ')}`;
    case 'counts':
      return { not_counted: 'no count involved', single: 'a single count so far', confirmed: 'a recount agreed with the count', disagree: 'the counts disagree' }[f.counts];
    case 'varianceZ':
      if (f.varianceZ === 'no_history') return 'no earlier variances at this location to compare with';
      if (f.varianceZ === 'usual') return 'the variance is in line with earlier ones at this location';
      return `the variance is ${f.varianceZ} for this location (robust z ${fmt(facts.varianceZ ?? 0)} over ${facts.varianceHistory} earlier)`;
    case 'velocity':
      return f.velocity === 'idle' ? 'no picks at this location lately' : `a ${f.velocity} mover here (${fmt(facts.unitsPerDay)} units a day)`;
    case 'userRate':
      if (f.userRate === 'unknown' || !facts.user) return null;
      return f.userRate === 'elevated'
        ? `user ${facts.user.userId}'s unexplained losses are well above their peers' (robust z ${fmt(facts.user.z)})`
        : 'the users involved lose no more than their peers';
    case 'shiftRate':
      if (f.shiftRate === 'unknown' || !facts.shift) return null;
      return f.shiftRate === 'elevated'
        ? `shift ${facts.shift.shift}'s unexplained losses are well above the other shifts' (robust z ${fmt(facts.shift.z)})`
        : 'the shifts involved lose no more than the others';
    case 'evidence':
      return f.evidence === 'partial' ? 'the WMS or ERP balance could not be read' : null;
  }
}

/**
 * The features that most favour the leading cause over the others: each one's log-likelihood
 * ratio against the prior-weighted mix of the other causes, largest first, in words.
 */
export function topFactors(f: Features, facts: FeatureFacts, top: RootCauseV2, m: ScorerModel, limit = 3): string[] {
  const others = ROOT_CAUSES.filter((c) => c !== top);
  const priorOthers = others.map((c) => Math.exp(m.logPrior[c]));
  const priorTotal = priorOthers.reduce((a, b) => a + b, 0);
  const scored = FEATURE_NAMES.map((name) => {
    const alt = others.reduce((s, c, i) => s + priorOthers[i] * Math.exp(m.logLikelihood[c][name][f[name]]), 0) / priorTotal;
    return { name, lr: m.logLikelihood[top][name][f[name]] - Math.log(alt) };
  })
    .filter((x) => x.lr > 0.1)
    .sort((a, b) => b.lr - a.lr || a.name.localeCompare(b.name));
  // 'document' only repeats what 'explanation' says when both are picked
  const names = scored.map((x) => x.name).filter((n, _, all) => !(n === 'document' && all.includes('explanation')));
  const out = names.map((n) => words(n, f, facts)).filter((t): t is string => t !== null).slice(0, limit);
  return out.length > 0 ? out : [`no strong signal: the prior makes ${CAUSE_WORDS[top]} most common`];
}

/**
 * Scorer v2: scorer v1's named explanations, candidate rule and recommended action stand;
 * on top come probabilities over the fixed root causes, a calibrated confidence that the
 * reading the recommended action rests on holds, and the top factors in plain words. Pure.
 */
export function scoreDiscrepancyV2(input: ScoreInput, peers: PeerContext, model: ScorerModel): Score {
  const v1 = scoreDiscrepancy(input);
  const { features, facts } = deriveFeatures(input, v1, peers);
  const { raw, calibrated, probabilities } = confidenceOf(features, model);
  const rootCauses = ROOT_CAUSES.map((cause) => ({ cause, probability: probabilities[cause] })).sort(
    (a, b) => b.probability - a.probability || ROOT_CAUSES.indexOf(a.cause) - ROOT_CAUSES.indexOf(b.cause),
  );
  const lead = rootCauses[0];
  const factors = topFactors(features, facts, lead.cause, model);
  const confidence = round3(calibrated);
  // a suspected theft is for people to see: an adjustment inside tolerance would write it off
  const shrinkSuspected = lead.cause === 'shrink' && v1.candidateRule === 'count_within_tolerance';
  const value = Math.abs(facts.variance) * input.unitCost;
  return {
    ...v1,
    scorerVersion: scorerVersionOf(model),
    confidence,
    ...(shrinkSuspected ? { candidateRule: undefined, recommendedAction: 'review' as const } : {}),
    explanation: `${v1.explanation} Most likely ${CAUSE_WORDS[lead.cause]} (${Math.round(lead.probability * 100)}%): ${factors.join('; ')}.`,
    priority: Math.min(100, Math.round(Math.log10(1 + value) * 20 + (1 - confidence) * 20)),
    rootCauses: rootCauses.map((r) => ({ cause: r.cause, probability: Math.round(r.probability * 10000) / 10000 })),
    topFactors: factors,
    model: { version: model.version, reading: readingOf(features), rawConfidence: round3(raw), features },
  };
}
