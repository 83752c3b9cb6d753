import type { Pool, PoolClient } from 'pg';
import { labelled, outcomeOf, type CaseState, type LabelledOutcome } from '../domain';

/**
 * Records a closed case's outcome once (keyed by case id: a retried transition changes
 * nothing). Runs in the transition's transaction, so the outcome lands with the closing row.
 */
export async function recordOutcome(c: PoolClient | Pool, s: CaseState): Promise<void> {
  const o = outcomeOf(s);
  if (!o) return;
  await c.query({
    name: 'outcome-record',
    text: `INSERT INTO outcomes (case_id, kind, site, resolution, root_cause, true_positive, scorer_version, confidence,
       confirmed_cause, cause_source, changed, predicted_cause, raw_confidence, features, shadow)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) ON CONFLICT (case_id) DO NOTHING`,
    values: [
      s.caseId, s.report.kind, s.report.site, o.resolution,
      // root_cause: the confirmed cause when someone or something confirmed it, else the scorer's lead
      o.confirmedCause ?? o.predictedCause, o.truePositive, s.score?.scorerVersion ?? null, s.score?.confidence ?? null,
      o.confirmedCause, o.causeSource, o.changed, o.predictedCause, s.score?.model?.rawConfidence ?? null,
      o.features ? JSON.stringify(o.features) : null, o.shadow,
    ],
  });
}

const LEARNABLE = `features IS NOT NULL AND NOT shadow AND (confirmed_cause IS NOT NULL OR changed IS NOT NULL)`;

/** The newest learnable outcome's seq (0: none yet). Cheap: a partial index answers it. */
export async function outcomeWatermark(db: Pool): Promise<number> {
  const { rows } = await db.query(`SELECT COALESCE(max(seq), 0) AS w FROM outcomes WHERE ${LEARNABLE}`);
  return Number(rows[0].w);
}

/** How many learnable outcomes arrived after `after` up to `upTo`. */
export async function countLearnableBetween(db: Pool, after: number, upTo: number): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM outcomes WHERE ${LEARNABLE} AND seq > $1 AND seq <= $2`, [after, upTo]);
  return rows[0].n as number;
}

/** Learnable outcomes up to a watermark, the newest `limit` of them. */
export async function loadLearnableOutcomes(db: Pool, watermark: number, limit = 20_000): Promise<LabelledOutcome[]> {
  const { rows } = await db.query(
    `SELECT features, confirmed_cause, changed, shadow FROM outcomes
     WHERE ${LEARNABLE} AND seq <= $1 ORDER BY seq DESC LIMIT $2`,
    [watermark, limit],
  );
  return rows
    .map((r) => labelled({ features: r.features, confirmedCause: r.confirmed_cause, changed: r.changed, shadow: r.shadow }))
    .filter((o): o is LabelledOutcome => o !== null);
}
