import type { DiscrepancyKind } from './discrepancy';
import { roundQty } from './quantities';
import type { Evidence } from './evidence';
import type { AutoRuleName } from './policy';

export const SCORER_VERSION = 'rules-v1';

export type RootCause =
  | 'open_allocation'
  | 'unposted_receipt'
  | 'transfer_in_transit'
  | 'return_without_disposition'
  | 'pending_transactions'
  | 'duplicate_event'
  | 'confirmed_count_variance'
  | 'possible_miscount'
  | 'unexplained';

export type RecommendedAction = 'suppress' | 'resync' | 'adjust' | 'recount' | 'review';

export interface CauseScore {
  cause: RootCause;
  probability: number;
  /** signed quantity of the variance this cause accounts for */
  explainedQty: number;
  /** the auto-resolution rule that may act on this cause, if any */
  rule?: AutoRuleName;
  explanation: string;
}

export interface Score {
  scorerVersion: string;
  causes: CauseScore[];
  /** how sure the scorer is of its leading reading, 0..1 */
  confidence: number;
  explainedQty: number;
  unexplainedQty: number;
  fullyExplained: boolean;
  recommendedAction: RecommendedAction;
  /** the rule that would close the case if the policy lets it */
  candidateRule?: AutoRuleName;
  explanation: string;
  priority: number;
  /** scorer v2: probabilities over its fixed root causes, most likely first (they sum to 1) */
  rootCauses?: { cause: string; probability: number }[];
  /** scorer v2: what most favours the leading cause, in plain words */
  topFactors?: string[];
  /**
   * Why an automatic adjustment is held back (domain/bin-context.ts): set by the scoring activity
   * from recent evidence at the bin. Absent in scores recorded before it, which decide as they did.
   */
  holdBack?: string;
  /** scorer v2: the model version, the reading the confidence is about, and the features (kept for learning) */
  model?: { version: number; reading: string; rawConfidence: number; features: Record<string, string> };
}

export interface ScoreInput {
  kind: DiscrepancyKind;
  expectedQty: number;
  /** the quantity in force: the latest recount when there is one, else the report's observation */
  observedQty: number;
  /**
   * The report's own observation (the first count). A single recount confirms or contradicts
   * this; without it a single recount cannot be checked and is treated as one reading.
   */
  reportedQty?: number;
  unitCost: number;
  sourceEventIds: string[];
  /** counts taken for this case (initial report excluded), most recent last */
  recounts: { countedQty: number }[];
  evidence: Evidence;
}

interface Explainer {
  cause: RootCause;
  rule: AutoRuleName;
  /** kinds where this explanation is meaningful */
  kinds: DiscrepancyKind[];
  explain(e: Evidence, variance: number): { qty: number; confidence: number; text: string } | null;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
const sum = (xs: number[]) => roundQty(xs.reduce((a, b) => a + b, 0));

/**
 * Named explanations. Sign convention: variance = observed − expected, where for a WMS/ERP
 * mismatch observed is the WMS and expected the ERP; each explainer returns how much of that
 * signed difference its open documents account for.
 */
const EXPLAINERS: readonly Explainer[] = [
  {
    cause: 'unposted_receipt',
    rule: 'explained_by_unposted_receipt',
    kinds: ['system_mismatch', 'count_variance', 'negative_inventory', 'receiving_variance'],
    explain(e) {
      const open = (e.inbound ?? []).filter((d) => d.docKind === 'receipt' && !d.postedToErp && d.receivedQty > 0);
      if (open.length === 0) return null;
      const qty = sum(open.map((d) => d.receivedQty));
      return {
        qty,
        confidence: 0.95,
        text: `${fmt(qty)} received in the WMS on ${open.map((d) => d.id).join(', ')} not yet posted to the ERP`,
      };
    },
  },
  {
    cause: 'open_allocation',
    rule: 'explained_by_open_allocation',
    kinds: ['system_mismatch', 'count_variance', 'phantom_stock'],
    explain(e) {
      const picked = (e.openAllocations ?? []).filter((a) => !a.issuedInErp && a.pickedQty > 0);
      if (picked.length === 0) return null;
      const qty = -sum(picked.map((a) => a.pickedQty));
      return {
        qty,
        confidence: 0.9,
        text: `${fmt(-qty)} picked for open orders ${picked.map((a) => a.orderId).join(', ')} but not yet issued in the ERP`,
      };
    },
  },
  {
    cause: 'transfer_in_transit',
    rule: 'explained_by_transfer_in_transit',
    kinds: ['system_mismatch', 'transfer_delay'],
    explain(e) {
      const moving = e.transfersInTransit ?? [];
      if (moving.length === 0) return null;
      // outbound: WMS already shipped it, ERP still has it; inbound received: WMS has it, ERP not yet
      const qty = sum(moving.map((t) => (t.direction === 'outbound' ? -t.qty : t.receivedInWms ? t.qty : 0)));
      if (qty === 0) return null;
      return {
        qty,
        confidence: 0.9,
        text: `${fmt(Math.abs(qty))} on transfers ${moving.map((t) => t.id).join(', ')} in transit between WMS and ERP postings`,
      };
    },
  },
  {
    cause: 'return_without_disposition',
    rule: 'explained_by_return_without_disposition',
    kinds: ['system_mismatch', 'return_unposted'],
    explain(e) {
      const pending = (e.returnsPending ?? []).filter((r) => !r.dispositioned);
      if (pending.length === 0) return null;
      const qty = sum(pending.map((r) => r.qty));
      return {
        qty,
        confidence: 0.85,
        text: `${fmt(qty)} returned on ${pending.map((r) => r.id).join(', ')} and held in the WMS without a disposition`,
      };
    },
  },
];

/**
 * Probability that a count reading is real rather than a miscount, from the count chain:
 * the report's observation, then each recount. The last two readings confirm or contradict.
 */
function countConfidence(reportedQty: number | undefined, recounts: { countedQty: number }[]): { confidence: number; text: string } {
  const chain = [...(reportedQty === undefined ? [] : [reportedQty]), ...recounts.map((r) => r.countedQty)];
  if (recounts.length === 0) return { confidence: 0.75, text: 'a single count' };
  if (chain.length < 2) return { confidence: 0.75, text: 'a recount that could not be compared with the first count' };
  const last = chain[chain.length - 1];
  const prev = chain[chain.length - 2];
  if (roundQty(last - prev) === 0) return { confidence: 0.95, text: `confirmed by ${chain.length} counts agreeing on ${fmt(last)}` };
  return { confidence: 0.5, text: `counts disagree (${fmt(prev)} then ${fmt(last)})` };
}

const COUNT_KINDS: readonly DiscrepancyKind[] = ['count_variance', 'negative_inventory', 'phantom_stock'];

/**
 * Rule-based scorer v1: tries the named explanations, checks whether they account for the
 * whole variance, and says in plain words why. Pure: same input, same score.
 */
export function scoreDiscrepancy(input: ScoreInput): Score {
  const variance = roundQty(input.observedQty - input.expectedQty);
  const e = input.evidence;
  const missingPenalty = ['wmsBalance', 'erpOnHand', 'all'].some((m) => e.missing.includes(m)) ? 0.6 : 1;

  // a duplicate: some prior case already handled every source event of this report
  const ids = input.sourceEventIds;
  const duplicate = ids.length > 0 ? (e.priorCases ?? []).find((p) => ids.every((id) => p.sharedEventIds.includes(id))) : undefined;
  if (duplicate) {
    return finish(input, variance, [
      {
        cause: 'duplicate_event',
        probability: 0.98,
        explainedQty: variance,
        rule: 'duplicate_event',
        explanation: `the same source events (${duplicate.sharedEventIds.join(', ')}) were already handled by case ${duplicate.caseId}`,
      },
    ], 0.98, 'suppress', 'duplicate_event');
  }

  const found = EXPLAINERS.filter((x) => x.kinds.includes(input.kind))
    .map((x) => ({ x, r: x.explain(e, variance) }))
    .filter((f): f is { x: Explainer; r: NonNullable<ReturnType<Explainer['explain']>> } => f.r !== null);

  // Use only explanations pulling in the variance's direction; a document that would widen
  // the gap explains nothing about it. Of those, only as many as fit inside the gap.
  const useful = fitting(
    found.filter((f) => Math.sign(f.r.qty) === Math.sign(variance)),
    variance,
  );
  const explainedQty = sum(useful.map((f) => f.r.qty));
  const fully = variance !== 0 && explainedQty === variance;
  const causes: CauseScore[] = useful.map((f) => ({
    cause: f.x.cause,
    probability: 0,
    explainedQty: f.r.qty,
    rule: f.x.rule,
    explanation: f.r.text,
  }));

  if (fully) {
    const confidence = Math.min(...useful.map((f) => f.r.confidence)) * missingPenalty;
    for (const c of causes) c.probability = round((c.explainedQty / variance) * confidence);
    const rule = useful.length === 1 ? useful[0].x.rule : 'explained_by_pending_transactions';
    return finish(input, variance, causes, confidence, 'resync', rule);
  }

  const residual = roundQty(variance - explainedQty);
  if (COUNT_KINDS.includes(input.kind)) {
    const cc = countConfidence(input.reportedQty, input.recounts);
    const confidence = cc.confidence * missingPenalty;
    causes.push({
      cause: cc.confidence >= 0.75 ? 'confirmed_count_variance' : 'possible_miscount',
      probability: 0,
      explainedQty: residual,
      rule: 'count_within_tolerance',
      explanation: `${fmt(Math.abs(residual))} ${residual < 0 ? 'missing' : 'extra'} at the location on ${cc.text}`,
    });
    spread(causes, variance, confidence);
    return finish(input, variance, causes, confidence, input.recounts.length === 0 ? 'recount' : 'adjust', 'count_within_tolerance');
  }

  causes.push({
    cause: 'unexplained',
    probability: 0,
    explainedQty: residual,
    explanation: `${fmt(Math.abs(residual))} of the variance is not explained by open documents`,
  });
  const confidence = 0.5 * missingPenalty;
  spread(causes, variance, confidence);
  return finish(input, variance, causes, confidence, 'review', undefined);
}

/**
 * The explanations that fit inside the variance: the subset with the largest total not beyond
 * it (fewest explanations, then listing order, on a tie). Documents adding up to more than the
 * gap would predict a different difference, so they cannot all be its cause; counting them
 * would explain more than the variance and push probabilities above 1.
 */
function fitting<T extends { r: { qty: number } }>(candidates: T[], variance: number): T[] {
  let best: T[] = [];
  let bestQty = 0;
  for (let mask = 1; mask < 1 << candidates.length; mask++) {
    const pick = candidates.filter((_, i) => (mask & (1 << i)) !== 0);
    const qty = Math.abs(sum(pick.map((f) => f.r.qty)));
    if (qty > Math.abs(variance)) continue;
    if (qty > bestQty || (qty === bestQty && pick.length < best.length)) {
      best = pick;
      bestQty = qty;
    }
  }
  return best;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function spread(causes: CauseScore[], variance: number, confidence: number): void {
  for (const c of causes) c.probability = variance === 0 ? 0 : round(Math.abs(c.explainedQty / variance) * confidence);
}

function finish(
  input: ScoreInput,
  variance: number,
  causes: CauseScore[],
  confidence: number,
  recommendedAction: RecommendedAction,
  candidateRule: AutoRuleName | undefined,
): Score {
  const explainedQty = sum(causes.filter((c) => c.cause !== 'unexplained' && c.cause !== 'confirmed_count_variance' && c.cause !== 'possible_miscount').map((c) => c.explainedQty));
  const sorted = [...causes].sort((a, b) => b.probability - a.probability);
  const value = Math.abs(variance) * input.unitCost;
  const fullyExplained = variance !== 0 && explainedQty === variance;
  const lead = sorted[0];
  const explanation =
    recommendedAction === 'suppress'
      ? `Duplicate report: ${lead.explanation}.`
      : fullyExplained
        ? `The variance of ${fmt(variance)} is fully explained: ${sorted.map((c) => c.explanation).join('; ')}. No adjustment is needed; the systems will agree once the documents post.`
        : `Variance of ${fmt(variance)} (${fmt(value)} at cost). ${sorted.map((c) => c.explanation).join('; ')}.`;
  return {
    scorerVersion: SCORER_VERSION,
    causes: sorted,
    confidence: round(confidence),
    explainedQty,
    unexplainedQty: roundQty(variance - explainedQty),
    fullyExplained,
    recommendedAction,
    candidateRule,
    explanation,
    // priority 0..100: value dominates, a low confidence raises it (people should look)
    priority: Math.min(100, Math.round(Math.log10(1 + value) * 20 + (1 - confidence) * 20)),
  };
}
