import type { PoolClient } from 'pg';
import type { SkuClass } from '../domain';
import type { LastScan } from '../ingest/features/types';

type Db = Pick<PoolClient, 'query'>;

/**
 * Set-based reads and writes of the running features for a run of events taken in together
 * (src/ingest/batch-features.ts): each read is one statement for every key the run touches,
 * each write one statement per table with the run's net effect.
 */

export interface BinKey { site: string; location: string; sku: string }
const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
export const binId = (k: BinKey) => `${k.site}\u0000${k.location}\u0000${k.sku}`;
export const siteLocId = (site: string, location: string) => `${site}\u0000${location}`;

export async function loadStockRows(db: Db, keys: BinKey[]): Promise<Map<string, { wms: number; erp: number }>> {
  const out = new Map<string, { wms: number; erp: number }>();
  if (keys.length === 0) return out;
  const { rows } = await db.query<{ site: string; location: string; sku: string; wms_qty: string; erp_qty: string }>(
    `SELECT s.site, s.location, s.sku, s.wms_qty, s.erp_qty FROM features.stock s
     JOIN unnest($1::text[], $2::text[], $3::text[]) k(site, location, sku) USING (site, location, sku)`,
    [keys.map((k) => k.site), keys.map((k) => k.location), keys.map((k) => k.sku)],
  );
  for (const r of rows) out.set(binId(r), { wms: n(r.wms_qty), erp: n(r.erp_qty) });
  return out;
}

/** Bins (of these) stock was ever put into. */
export async function loadStockedBins(db: Db, keys: BinKey[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { rows } = await db.query<BinKey>(
    `SELECT b.site, b.location, b.sku FROM features.bin_activity b
     JOIN unnest($1::text[], $2::text[], $3::text[]) k(site, location, sku) USING (site, location, sku) WHERE b.last_stocked_at IS NOT NULL`,
    [keys.map((k) => k.site), keys.map((k) => k.location), keys.map((k) => k.sku)],
  );
  return new Set(rows.map(binId));
}

export async function loadItems(db: Db, skus: string[]): Promise<Map<string, { unitCost: number; skuClass: SkuClass }>> {
  const out = new Map<string, { unitCost: number; skuClass: SkuClass }>();
  if (skus.length === 0) return out;
  const { rows } = await db.query<{ sku: string; unit_cost: string; sku_class: SkuClass }>('SELECT sku, unit_cost, sku_class FROM model.items WHERE sku = ANY($1::text[])', [skus]);
  for (const r of rows) out.set(r.sku, { unitCost: n(r.unit_cost), skuClass: r.sku_class });
  return out;
}

/** Zones of (site, location) pairs from the location master; a pair it does not know is absent. */
export async function loadZones(db: Db, pairs: { site: string; location: string }[]): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  if (pairs.length === 0) return out;
  const { rows } = await db.query<{ site: string; location: string; zone: string | null }>(
    `SELECT l.site, l.location, l.zone FROM model.locations l JOIN unnest($1::text[], $2::text[]) k(site, location) USING (site, location)`,
    [pairs.map((p) => p.site), pairs.map((p) => p.location)],
  );
  for (const r of rows) out.set(siteLocId(r.site, r.location), r.zone ?? undefined);
  return out;
}

/** The last scan of each (site, scanner). */
export async function loadLastScanRows(db: Db, keys: { site: string; scanner: string }[]): Promise<Map<string, LastScan>> {
  const out = new Map<string, LastScan>();
  if (keys.length === 0) return out;
  const { rows } = await db.query<{ site: string; scanner: string; location: string; zone: string | null; at: Date; event_id: string }>(
    `SELECT s.site, s.scanner, s.location, s.zone, s.at, s.event_id FROM features.last_scan s JOIN unnest($1::text[], $2::text[]) k(site, scanner) USING (site, scanner)`,
    [keys.map((k) => k.site), keys.map((k) => k.scanner)],
  );
  for (const r of rows) out.set(siteLocId(r.site, r.scanner), { scanner: r.scanner, location: r.location, zone: r.zone ?? undefined, at: r.at.toISOString(), eventId: r.event_id });
  return out;
}

export async function addStock(db: Db, rows: (BinKey & { wms: number; erp: number })[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO features.stock (site, location, sku, wms_qty, erp_qty)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[])
     ON CONFLICT (site, location, sku) DO UPDATE SET wms_qty = features.stock.wms_qty + EXCLUDED.wms_qty,
       erp_qty = features.stock.erp_qty + EXCLUDED.erp_qty, updated_at = now()`,
    [rows.map((r) => r.site), rows.map((r) => r.location), rows.map((r) => r.sku), rows.map((r) => r.wms), rows.map((r) => r.erp)],
  );
}

export async function touchBinActivity(db: Db, rows: (BinKey & { stockedAt: string | null; pickedAt: string | null })[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO features.bin_activity (site, location, sku, last_stocked_at, last_picked_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
     ON CONFLICT (site, location, sku) DO UPDATE SET
       last_stocked_at = GREATEST(features.bin_activity.last_stocked_at, EXCLUDED.last_stocked_at),
       last_picked_at = GREATEST(features.bin_activity.last_picked_at, EXCLUDED.last_picked_at)`,
    [rows.map((r) => r.site), rows.map((r) => r.location), rows.map((r) => r.sku), rows.map((r) => r.stockedAt), rows.map((r) => r.pickedAt)],
  );
}

/** Only a later scan replaces the stored one (events may arrive out of order). */
export async function putLastScans(db: Db, rows: { site: string; scanner: string; location: string; zone: string | null; at: string; eventId: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO features.last_scan (site, scanner, location, zone, at, event_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
     ON CONFLICT (site, scanner) DO UPDATE SET location = EXCLUDED.location, zone = EXCLUDED.zone, at = EXCLUDED.at, event_id = EXCLUDED.event_id
     WHERE features.last_scan.at <= EXCLUDED.at`,
    [rows.map((r) => r.site), rows.map((r) => r.scanner), rows.map((r) => r.location), rows.map((r) => r.zone), rows.map((r) => r.at), rows.map((r) => r.eventId)],
  );
}

export async function addAdjustmentBuckets(db: Db, rows: { site: string; dimension: string; key: string; day: string; lossUnits: number; lossCount: number }[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO features.adjustment_buckets (site, dimension, key, day, loss_units, loss_count)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::numeric[], $6::int[])
     ON CONFLICT (site, dimension, day, key) DO UPDATE SET loss_units = features.adjustment_buckets.loss_units + EXCLUDED.loss_units,
       loss_count = features.adjustment_buckets.loss_count + EXCLUDED.loss_count`,
    [rows.map((r) => r.site), rows.map((r) => r.dimension), rows.map((r) => r.key), rows.map((r) => r.day), rows.map((r) => r.lossUnits), rows.map((r) => r.lossCount)],
  );
}

export interface MovementRow {
  id: string; site: string; location: string; sku: string; type: string; qty: number;
  userId: string | null; deviceId: string | null; occurredAt: string; reasonCode: string | null; referenceKind: string | null; referenceId: string | null;
}

export async function insertMovements(db: Db, rows: MovementRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof MovementRow>(k: K) => rows.map((r) => r[k]);
  await db.query(
    `INSERT INTO model.movements (id, site, location, sku, type, qty, user_id, device_id, occurred_at, reason_code, reference_kind, reference_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::text[], $9::timestamptz[], $10::text[], $11::text[], $12::text[])
     ON CONFLICT (id) DO NOTHING`,
    [col('id'), col('site'), col('location'), col('sku'), col('type'), col('qty'), col('userId'), col('deviceId'), col('occurredAt'), col('reasonCode'), col('referenceKind'), col('referenceId')],
  );
}

/** Cost and class as the events carried them (the last event of the run wins, as one by one). */
export async function putItems(db: Db, rows: { sku: string; unitCost: number; skuClass: SkuClass }[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO model.items (sku, unit_cost, sku_class) SELECT * FROM unnest($1::text[], $2::numeric[], $3::text[])
     ON CONFLICT (sku) DO UPDATE SET unit_cost = EXCLUDED.unit_cost, sku_class = EXCLUDED.sku_class, updated_at = now()`,
    [rows.map((r) => r.sku), rows.map((r) => r.unitCost), rows.map((r) => r.skuClass)],
  );
}
