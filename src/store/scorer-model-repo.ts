import type { Pool } from 'pg';
import { fitModel, PRIOR_MODEL, refitDue, type ScorerModel } from '../domain';
import { countLearnableBetween, loadLearnableOutcomes } from './outcome-repo';

async function modelAt(db: Pool, watermark: number): Promise<ScorerModel | null> {
  const { rows } = await db.query('SELECT version, params FROM scorer_models WHERE watermark = $1', [watermark]);
  return rows.length ? { ...(rows[0].params as ScorerModel), version: rows[0].version } : null;
}

/**
 * The model for the outcomes up to `watermark`: the stored fit when there is one; the newest
 * fit while too few outcomes arrived since it to be worth a new one (a busy site would
 * otherwise store a fit per outcome); else a new fit stored under the next version.
 * Concurrent fitters of one watermark agree on one row.
 */
export async function modelForWatermark(db: Pool, watermark: number): Promise<ScorerModel> {
  if (watermark === 0) return PRIOR_MODEL;
  const stored = await modelAt(db, watermark);
  if (stored) return stored;
  const latest = await db.query('SELECT version, watermark, outcomes, params FROM scorer_models WHERE watermark < $1 ORDER BY watermark DESC LIMIT 1', [watermark]);
  if (latest.rows.length) {
    const last = latest.rows[0];
    const since = await countLearnableBetween(db, Number(last.watermark), watermark);
    if (!refitDue(last.outcomes, since)) return { ...(last.params as ScorerModel), version: last.version };
  }
  const outcomes = await loadLearnableOutcomes(db, watermark);
  const fitted = fitModel(outcomes, 0);
  await db.query(
    `INSERT INTO scorer_models (watermark, params, outcomes) VALUES ($1, $2, $3) ON CONFLICT (watermark) DO NOTHING`,
    [watermark, JSON.stringify(fitted), outcomes.length],
  );
  const saved = await modelAt(db, watermark);
  if (!saved) throw new Error(`scorer model for watermark ${watermark} was not stored`);
  return saved;
}

/** The newest stored fit (for reports): version, when, what it was fitted on, its Brier scores. */
export async function latestModelSummary(db: Pool): Promise<Pick<ScorerModel, 'version' | 'fittedOn' | 'metrics' | 'calibration'> | null> {
  const { rows } = await db.query('SELECT version, params FROM scorer_models ORDER BY version DESC LIMIT 1');
  if (!rows.length) return null;
  const p = rows[0].params as ScorerModel;
  return { version: rows[0].version, fittedOn: p.fittedOn, metrics: p.metrics, calibration: p.calibration };
}
