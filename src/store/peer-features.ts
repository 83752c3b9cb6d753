import type { Pool } from 'pg';
import type { PeerContext, PeerRate } from '../domain';

/** Unexplained-loss window of the peer comparison: the shrink detector's (features.adjustment_buckets). */
const PEER_WINDOW_DAYS = 14;

export interface PeerQuery {
  caseId: string;
  site: string;
  sku: string;
  location?: string;
  users: string[];
  sourceEventIds: string[];
  /** absolute quantities of people's recent adjustments at the location (from the evidence) */
  recentAdjustments: number[];
  lookbackDays: number;
}

async function rates(db: Pool, site: string, dimension: 'user' | 'shift', keys: string[]): Promise<PeerRate[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query(
    `SELECT key, sum(loss_units) AS loss FROM features.adjustment_buckets
     WHERE site = $1 AND dimension = $2 AND day >= (now() - make_interval(days => $3))::date GROUP BY key`,
    [site, dimension, PEER_WINDOW_DAYS],
  );
  const all = rows.map((r) => ({ key: r.key as string, loss: Number(r.loss) }));
  return keys
    .filter((k) => all.some((r) => r.key === k))
    .map((k) => ({ key: k, lossUnits: all.find((r) => r.key === k)!.loss, peers: all.filter((r) => r.key !== k).map((r) => r.loss) }));
}

/**
 * What scorer v2 compares a case with: earlier variances at the same sku/location (the read
 * model and people's adjustments), and the involved users' and shifts' unexplained losses
 * against their peers at the site. Key lookups on indexed tables only.
 */
export async function loadPeerContext(db: Pool, q: PeerQuery): Promise<PeerContext> {
  const [history, shifts] = await Promise.all([
    db.query(
      `SELECT abs(variance) AS v FROM discrepancies
       WHERE sku = $1 AND site = $2 AND location IS NOT DISTINCT FROM $3 AND id <> $4 AND NOT shadow
       ORDER BY opened_at DESC LIMIT 50`,
      [q.sku, q.site, q.location ?? null, q.caseId],
    ),
    q.sourceEventIds.length
      ? db.query(
          `SELECT DISTINCT body->'actor'->>'shift' AS shift FROM inventory_events
           WHERE event_id = ANY($1::text[]) AND site = $2 AND body->'actor'->>'shift' IS NOT NULL`,
          [q.sourceEventIds, q.site],
        )
      : Promise.resolve({ rows: [] as { shift: string }[] }),
  ]);
  return {
    pastVariances: [...history.rows.map((r) => Number(r.v)), ...q.recentAdjustments.map(Math.abs)],
    users: await rates(db, q.site, 'user', q.users),
    shifts: await rates(db, q.site, 'shift', shifts.rows.map((r) => r.shift as string)),
    lookbackDays: q.lookbackDays,
  };
}
