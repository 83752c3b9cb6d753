import type { PoolClient } from 'pg';
import type { InventoryEvent, PolicyDocument, SkuClass } from '../domain';
import { DRIFT_PARAMS } from '../domain/drift';
import { countVarianceSeries } from './count-results-repo';
import { attributesOf } from '../ingest/event-attributes';
import { dayOf, isUnexplainedLoss, scannersOf, SHRINK_WINDOW_DAYS, shrinkEntities } from '../ingest/event-classes';
import { stockEffects } from '../ingest/stock-effects';
import type { Features, InboundLine, LastScan, LotOnHand, ShrinkWindow, StockView } from '../ingest/features/types';

type Db = Pick<PoolClient, 'query'>;

/**
 * Where the detectors read balances: Reckon's running balances (schema `features`), built from
 * events, seeded from the WMS/ERP through the ports for a bin's first event, and moved by the
 * corrections Reckon posts. The only source ('ledger' survives in recorded workflow histories).
 */
export type StockSource = 'events';

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const isoDate = (v: Date | string | null) => (v === null ? undefined : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));
const LOTS_LIMIT = 50;

/** Loads the snapshot the detectors need for this event; call before the event is applied. */
export async function loadFeatures(
  db: Db,
  e: InventoryEvent,
  opts: { policy: PolicyDocument; receivedAt: string; stockSource: StockSource },
): Promise<Features> {
  const a = attributesOf(e);
  const locations = new Set<string>();
  if (e.location) locations.add(e.location);
  for (const x of stockEffects(e)) locations.add(x.location);
  const lastScans = await loadLastScans(db, e);
  // one client in a transaction: queries run one after another
  const item = await loadItem(db, e, a.unitCost, a.skuClass);
  const stock = await loadStock(db, e, [...locations], opts.stockSource);
  const zones = await loadZones(db, e.site, [...locations, ...lastScans.map((s) => s.location)].filter((l) => l !== ''));
  for (const s of lastScans) s.zone = zones[s.location] ?? s.zone;
  const f: Features = { policy: opts.policy, receivedAt: opts.receivedAt, item, zones, stock, lastScans };
  if (e.type === 'pick' && e.sku && e.location) f.binStocked = await loadBinStocked(db, e.site, e.location, e.sku);
  if (e.type === 'receipt' && e.reference) f.inbound = await loadInbound(db, e.site, e.reference.kind, e.reference.id);
  if (e.lot && e.sku) Object.assign(f, await loadLots(db, e.site, e.sku, e.lot));
  if (isUnexplainedLoss(e)) f.shrink = await loadShrink(db, e);
  if (e.type === 'count' && e.sku && e.location) {
    const since = new Date(Date.parse(e.occurredAt) - DRIFT_PARAMS.windowDays * 86_400_000);
    f.countSeries = (await countVarianceSeries(db, { site: e.site, location: e.location, sku: e.sku }, since)).map((r) => ({ at: r.countedAt, systemQty: r.systemQty, countedQty: r.countedQty, corrected: !r.withinTolerance }));
  }
  return f;
}

export async function loadItem(db: Db, e: InventoryEvent, unitCost?: number, skuClass?: SkuClass): Promise<Features['item']> {
  if (unitCost !== undefined && skuClass !== undefined) return { unitCost, skuClass };
  const row = e.sku
    ? (await db.query<{ unit_cost: string; sku_class: SkuClass }>('SELECT unit_cost, sku_class FROM model.items WHERE sku = $1', [e.sku])).rows[0]
    : undefined;
  return { unitCost: unitCost ?? n(row?.unit_cost), skuClass: skuClass ?? row?.sku_class ?? 'C' };
}

async function loadStock(db: Db, e: InventoryEvent, locations: string[], _source: StockSource): Promise<Record<string, StockView>> {
  const out: Record<string, StockView> = {};
  for (const l of locations) out[l] = { wms: 0, erp: 0, known: false };
  if (!e.sku || locations.length === 0) return out;
  const { rows } = await db.query<{ location: string; wms_qty: string; erp_qty: string }>(
    `SELECT location, wms_qty, erp_qty FROM features.stock WHERE site = $1 AND sku = $2 AND location = ANY($3::text[])`,
    [e.site, e.sku, locations],
  );
  for (const r of rows) out[r.location] = { wms: n(r.wms_qty), erp: n(r.erp_qty), known: true };
  return out;
}

async function loadZones(db: Db, site: string, locations: string[]): Promise<Record<string, string | undefined>> {
  const zones: Record<string, string | undefined> = {};
  if (locations.length === 0) return zones;
  const { rows } = await db.query<{ location: string; zone: string | null }>(
    'SELECT location, zone FROM model.locations WHERE site = $1 AND location = ANY($2::text[])',
    [site, [...new Set(locations)]],
  );
  for (const r of rows) zones[r.location] = r.zone ?? undefined;
  return zones;
}

async function loadLastScans(db: Db, e: InventoryEvent): Promise<LastScan[]> {
  const scanners = scannersOf(e);
  if (scanners.length === 0) return [];
  const { rows } = await db.query<{ scanner: string; location: string; zone: string | null; at: Date; event_id: string }>(
    'SELECT scanner, location, zone, at, event_id FROM features.last_scan WHERE site = $1 AND scanner = ANY($2::text[])',
    [e.site, scanners],
  );
  return rows.map((r) => ({ scanner: r.scanner, location: r.location, zone: r.zone ?? undefined, at: r.at.toISOString(), eventId: r.event_id }));
}

async function loadBinStocked(db: Db, site: string, location: string, sku: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM features.bin_activity WHERE site = $1 AND location = $2 AND sku = $3 AND last_stocked_at IS NOT NULL', [site, location, sku]);
  return rows.length > 0;
}

async function loadInbound(db: Db, site: string, refKind: string, id: string): Promise<Features['inbound']> {
  const kind = refKind === 'asn' ? 'asn' : refKind === 'po' || refKind === 'purchase_order' ? 'po' : undefined;
  if (!kind) return undefined;
  const { rows } = await db.query<{
    line: string; sku: string | null; location: string | null; expected_qty: string; received_qty: string; announced: boolean; closed_at: Date | null;
    unit_cost: string | null; sku_class: SkuClass | null;
  }>(
    `SELECT l.line, l.sku, l.location, l.expected_qty, l.received_qty, l.announced, l.closed_at, i.unit_cost, i.sku_class
     FROM features.inbound_lines l LEFT JOIN model.items i ON i.sku = l.sku
     WHERE l.site = $1 AND l.doc_kind = $2 AND l.doc_id = $3 ORDER BY l.line`,
    [site, kind, id],
  );
  const lines: InboundLine[] = rows.map((r) => ({
    line: r.line,
    sku: r.sku ?? undefined,
    location: r.location ?? undefined,
    expectedQty: n(r.expected_qty),
    receivedQty: n(r.received_qty),
    announced: r.announced,
    closed: r.closed_at !== null,
    item: r.unit_cost !== null && r.sku_class !== null ? { unitCost: n(r.unit_cost), skuClass: r.sku_class } : undefined,
  }));
  return { kind, id, lines };
}

async function loadLots(db: Db, site: string, sku: string, lot: string): Promise<Pick<Features, 'lots' | 'lotExpiresOn'>> {
  const { rows } = await db.query<{ lot: string; location: string; expires_on: Date | string | null; qty: string }>(
    `SELECT lot, location, expires_on, qty FROM features.lots WHERE site = $1 AND sku = $2 AND qty > 0
     ORDER BY expires_on ASC NULLS LAST, lot, location LIMIT ${LOTS_LIMIT}`,
    [site, sku],
  );
  const lots: LotOnHand[] = rows.map((r) => ({ lot: r.lot, location: r.location, expiresOn: isoDate(r.expires_on), qty: n(r.qty) }));
  const known = await db.query<{ expires_on: Date | string | null }>(
    'SELECT expires_on FROM features.lots WHERE site = $1 AND sku = $2 AND lot = $3 AND expires_on IS NOT NULL LIMIT 1',
    [site, sku, lot],
  );
  return { lots, lotExpiresOn: isoDate(known.rows[0]?.expires_on ?? null) };
}

/** The window's buckets for each of the event's entities and their peers at the site. */
async function loadShrink(db: Db, e: InventoryEvent): Promise<ShrinkWindow[]> {
  const since = new Date(Date.parse(e.occurredAt) - (SHRINK_WINDOW_DAYS - 1) * 86_400_000).toISOString();
  const out: ShrinkWindow[] = [];
  for (const { dimension, key } of shrinkEntities(e)) {
    const { rows } = await db.query<{ key: string; loss_units: string; loss_count: string }>(
      `SELECT key, sum(loss_units) AS loss_units, sum(loss_count) AS loss_count FROM features.adjustment_buckets
       WHERE site = $1 AND dimension = $2 AND day BETWEEN $3::date AND $4::date GROUP BY key`,
      [e.site, dimension, dayOf(since), dayOf(e.occurredAt)],
    );
    const mine = rows.find((r) => r.key === key);
    out.push({
      dimension,
      key,
      lossUnits: n(mine?.loss_units),
      lossCount: n(mine?.loss_count),
      peers: rows.filter((r) => r.key !== key).map((r) => n(r.loss_units)),
      windowDays: SHRINK_WINDOW_DAYS,
    });
  }
  return out;
}

/** Whether Reckon holds a running balance for this bin (location '' for site level). */
export async function isStockKnown(db: Db, key: { site: string; sku: string; location: string }): Promise<boolean> {
  const known = await db.query('SELECT 1 FROM features.stock WHERE site = $1 AND sku = $2 AND location = $3', [key.site, key.sku, key.location]);
  return (known.rowCount ?? 0) > 0;
}

/** Reckon's running balance of one bin as the WMS and the ERP hold it; undefined when unknown. */
export async function stockBalance(db: Db, key: { site: string; location: string; sku: string }): Promise<{ wms: number; erp: number } | undefined> {
  const { rows } = await db.query<{ wms_qty: string; erp_qty: string }>(`SELECT wms_qty, erp_qty FROM features.stock WHERE site = $1 AND location = $2 AND sku = $3`, [key.site, key.location, key.sku]);
  return rows.length === 0 ? undefined : { wms: n(rows[0].wms_qty), erp: n(rows[0].erp_qty) };
}

export interface OpenInboundLine {
  line: string;
  sku: string;
  location: string | null;
  expected_qty: string;
  received_qty: string;
  unit_cost: string | null;
  sku_class: SkuClass | null;
}

/** A document's announced lines nobody closed, locked until the caller's transaction ends. */
export async function lockOpenInboundLines(db: Db, doc: { site: string; kind: string; docId: string }): Promise<OpenInboundLine[]> {
  const { rows } = await db.query<OpenInboundLine>(
    `SELECT l.line, l.sku, l.location, l.expected_qty, l.received_qty, i.unit_cost, i.sku_class
       FROM features.inbound_lines l LEFT JOIN model.items i ON i.sku = l.sku
       WHERE l.site = $1 AND l.doc_kind = $2 AND l.doc_id = $3 AND l.announced AND l.closed_at IS NULL AND l.sku IS NOT NULL
       ORDER BY l.line FOR UPDATE OF l`,
    [doc.site, doc.kind, doc.docId],
  );
  return rows;
}

/** A bin's running WMS balance with the item's cost and class, each null when Reckon does not know it. */
export async function binBookAndItem(db: Db, key: { site: string; location: string; sku: string }): Promise<{ wms_qty: string | null; unit_cost: string | null; sku_class: SkuClass | null } | undefined> {
  const { rows } = await db.query<{ wms_qty: string | null; unit_cost: string | null; sku_class: SkuClass | null }>(
    `SELECT b.wms_qty, i.unit_cost, i.sku_class FROM (SELECT 1) one
     LEFT JOIN features.stock b ON b.site = $1 AND b.location = $2 AND b.sku = $3
     LEFT JOIN model.items i ON i.sku = $3`,
    [key.site, key.location, key.sku],
  );
  return rows[0];
}
