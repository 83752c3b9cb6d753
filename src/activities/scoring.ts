import { scoreDiscrepancy, scoreDiscrepancyV2, type Score, type ScoreInput, type ScorerModel } from '../domain';
import { holdBackReason } from '../domain/bin-context';
import { loadBinContext } from '../store/bin-context';
import { outcomeWatermark } from '../store/outcome-repo';
import { loadPeerContext } from '../store/peer-features';
import { modelForWatermark } from '../store/scorer-model-repo';
import type { ActivityDeps } from './deps';

/** What the workflow sends to be scored: the v1 input, the scorer its policy chose, and whose stock it is. */
export interface ScoreCaseInput extends ScoreInput {
  /** absent in cases started before scorers were selectable: they keep rules-v1 */
  scorer?: 'bayes-v2' | 'rules-v1';
  caseId?: string;
  site?: string;
  sku?: string;
  location?: string;
  causedBy?: string[];
}

/**
 * Scoring. Scorer v2's parameters come from Postgres (fitted from recorded outcomes) and reach
 * the workflow only inside this activity's result, so a replay reads the score from history.
 */
export function createScoringActivities(deps: ActivityDeps) {
  // the model for the newest outcome this worker has seen; refitted when outcomes arrive
  let cached: { watermark: number; model: ScorerModel } | undefined;

  async function currentModel(): Promise<ScorerModel> {
    const watermark = await outcomeWatermark(deps.db);
    if (cached?.watermark !== watermark) cached = { watermark, model: await modelForWatermark(deps.db, watermark) };
    return cached.model;
  }

  return {
    async scoreCase(input: ScoreCaseInput): Promise<Score> {
      return withBinContext(input, await scoreWith(input));
    },
  };

  /** Recent evidence at the bin may hold back an automatic adjustment (decide.ts reads holdBack). */
  async function withBinContext(input: ScoreCaseInput, score: Score): Promise<Score> {
    if (!input.caseId || !input.site || !input.location) return score;
    const holdBack = holdBackReason(await loadBinContext(deps.db, { caseId: input.caseId, site: input.site, location: input.location, sourceEventIds: input.sourceEventIds }));
    return holdBack ? { ...score, holdBack } : score;
  }

  async function scoreWith(input: ScoreCaseInput): Promise<Score> {
    if (input.scorer !== 'bayes-v2' || !input.site || !input.sku || !input.caseId) return scoreDiscrepancy(input);
    const [model, peers] = await Promise.all([
      currentModel(),
      loadPeerContext(deps.db, {
        caseId: input.caseId,
        site: input.site,
        sku: input.sku,
        location: input.location,
        users: [
          ...new Set([
            ...(input.causedBy ?? []),
            ...(input.evidence.recentAdjustments ?? []).filter((a) => a.qty < 0 && a.userId).map((a) => a.userId!),
          ]),
        ],
        sourceEventIds: input.sourceEventIds,
        recentAdjustments: (input.evidence.recentAdjustments ?? []).map((a) => a.qty),
        lookbackDays: deps.evidenceLookbackDays,
      }),
    ]);
    return scoreDiscrepancyV2(input, peers, model);
  }
}
