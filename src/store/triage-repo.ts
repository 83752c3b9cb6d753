import type { PoolClient } from 'pg';

type Db = Pick<PoolClient, 'query'>;

/** A case's triage priority on its read-model row. */
export async function storeTriage(db: Db, caseId: string, triage: { score: number; band: string }, detail: unknown): Promise<void> {
  await db.query('UPDATE discrepancies SET triage_score = $2, triage_band = $3, triage = $4 WHERE id = $1', [caseId, triage.score, triage.band, JSON.stringify(detail)]);
}

export interface AvailabilityFacts {
  on_hand: string | null;
  reorder_point: string | null;
  safety_stock: string | null;
  replenishment: unknown;
}

/** A sku's on hand over every bin of a site, its ERP levels, and the pinned policy's replenishment settings. */
export async function availabilityFacts(db: Db, site: string, sku: string, policyVersion: number): Promise<AvailabilityFacts | undefined> {
  const { rows } = await db.query<AvailabilityFacts>(
    `SELECT (SELECT sum(GREATEST(wms_qty, 0)) FROM features.stock WHERE site = $1 AND sku = $2) AS on_hand,
            i.reorder_point, i.safety_stock,
            (SELECT document->'replenishment' FROM policies WHERE version = $3) AS replenishment
     FROM (SELECT 1) one LEFT JOIN model.items i ON i.sku = $2`,
    [site, sku, policyVersion],
  );
  return rows[0];
}
