import type { PoolClient } from 'pg';
import { zoneOf, type InventoryEvent, type PolicyDocument } from '../domain';
import type { Detection } from '../store/detections-repo';
import {
  addAdjustmentBuckets, addStock, binId, insertMovements, loadItems, loadLastScanRows, loadStockedBins, loadStockRows, loadZones,
  putItems, putLastScans, siteLocId, touchBinActivity, type BinKey, type MovementRow,
} from '../store/feature-batch';
import { attributesOf, eventKey } from './event-attributes';
import { dayOf, isUnexplainedLoss, scannersOf, shrinkEntities } from './event-classes';
import type { Features, LastScan, StockView } from './features/types';
import { stockEffects, type StockEffect } from './stock-effects';

type Db = Pick<PoolClient, 'query'>;

export interface RunEvent {
  event: InventoryEvent;
  receivedAt: string;
  /** the WMS echoing Reckon's own correction: no stock movement, no detection */
  echo: boolean;
}

export interface RunOptions {
  policyAt: (site: string) => PolicyDocument;
  detect: (e: InventoryEvent, f: Features, receivedAt: string) => Detection[];
}

/**
 * Whether an event needs only what a run keeps in memory (stock, bin activity, last scans, items,
 * zones, activity buckets). Counts (accuracy, drift series), inbound documents and receipts
 * against them, lots and unexplained losses (shrink windows) are taken one at a time instead.
 */
export function runsInBatch(e: InventoryEvent): boolean {
  if (e.type === 'count' || e.type === 'asn' || e.type === 'purchase_order') return false;
  if (e.type === 'receipt' && e.reference) return false;
  if (e.lot) return false;
  return !isUnexplainedLoss(e);
}

/** An event's stock effects and the bins it touches, worked out once per event. */
const effectsCache = new WeakMap<InventoryEvent, { effects: StockEffect[]; locations: string[] }>();
function effectsOf(e: InventoryEvent): { effects: StockEffect[]; locations: string[] } {
  let v = effectsCache.get(e);
  if (!v) {
    const effects = stockEffects(e);
    const l = new Set<string>();
    if (e.location) l.add(e.location);
    for (const x of effects) l.add(x.location);
    v = { effects, locations: [...l] };
    effectsCache.set(e, v);
  }
  return v;
}
const locationsOf = (e: InventoryEvent): string[] => effectsOf(e).locations;

/**
 * Phase one for a run of events that `runsInBatch`, in the caller's transaction: the features
 * every event touches are read once, each event is judged against them as they stand after the
 * events before it (the same "before" as one at a time), and the run's net changes are written
 * with one statement per table. Returns the detections, in event order.
 */
export async function recordRun(db: Db, run: RunEvent[], opts: RunOptions): Promise<Detection[]> {
  if (run.length === 0) return [];
  const bins = new Map<string, BinKey>();
  const picked = new Map<string, BinKey>();
  const scanners = new Map<string, { site: string; scanner: string }>();
  const skus = new Set<string>();
  for (const { event: e } of run) {
    for (const s of scannersOf(e)) scanners.set(siteLocId(e.site, s), { site: e.site, scanner: s });
    if (!e.sku) continue;
    skus.add(e.sku);
    for (const location of locationsOf(e)) bins.set(binId({ site: e.site, location, sku: e.sku }), { site: e.site, location, sku: e.sku });
    if (e.type === 'pick' && e.location) picked.set(binId({ site: e.site, location: e.location, sku: e.sku }), { site: e.site, location: e.location, sku: e.sku });
  }
  const stock = await loadStockRows(db, [...bins.values()]);
  const stocked = await loadStockedBins(db, [...picked.values()]);
  const items = await loadItems(db, [...skus]);
  const lastScans = await loadLastScanRows(db, [...scanners.values()]);
  const pairs = new Map<string, { site: string; location: string }>();
  for (const { event: e } of run) for (const l of locationsOf(e)) if (l !== '') pairs.set(siteLocId(e.site, l), { site: e.site, location: l });
  for (const [k, s] of lastScans) pairs.set(siteLocId(k.split('\u0000')[0], s.location), { site: k.split('\u0000')[0], location: s.location });
  const zones = await loadZones(db, [...pairs.values()]);

  const stockDelta = new Map<string, BinKey & { wms: number; erp: number }>();
  const binTouch = new Map<string, BinKey & { stockedAt: string | null; pickedAt: string | null }>();
  const scanPut = new Map<string, { site: string; scanner: string; location: string; zone: string | null; at: string; eventId: string }>();
  const buckets = new Map<string, { site: string; dimension: string; key: string; day: string; lossUnits: number; lossCount: number }>();
  const itemPut = new Map<string, { sku: string; unitCost: number; skuClass: 'A' | 'B' | 'C' }>();
  const movements: MovementRow[] = [];
  const later = (a: string | null, b: string) => (a === null || Date.parse(a) < Date.parse(b) ? b : a);
  const found: Detection[] = [];

  for (const { event: e, receivedAt, echo } of run) {
    // the snapshot before this event, as loadFeatures would read it now
    const a = attributesOf(e);
    const known = e.sku ? items.get(e.sku) : undefined;
    const item = a.unitCost !== undefined && a.skuClass !== undefined
      ? { unitCost: a.unitCost, skuClass: a.skuClass }
      : { unitCost: a.unitCost ?? known?.unitCost ?? 0, skuClass: a.skuClass ?? known?.skuClass ?? 'C' as const };
    const view: Record<string, StockView> = {};
    for (const l of locationsOf(e)) {
      const s = e.sku ? stock.get(binId({ site: e.site, location: l, sku: e.sku })) : undefined;
      view[l] = s ? { wms: s.wms, erp: s.erp, known: true } : { wms: 0, erp: 0, known: false };
    }
    const scans: LastScan[] = [];
    for (const s of scannersOf(e)) {
      const last = lastScans.get(siteLocId(e.site, s));
      if (last) scans.push({ ...last });
    }
    const zoneMap: Record<string, string | undefined> = {};
    for (const l of [...locationsOf(e), ...scans.map((s) => s.location)]) {
      const id = siteLocId(e.site, l);
      if (l !== '' && zones.has(id)) zoneMap[l] = zones.get(id);
    }
    for (const s of scans) s.zone = zoneMap[s.location] ?? s.zone;
    const f: Features = { policy: opts.policyAt(e.site), receivedAt, item, zones: zoneMap, stock: view, lastScans: scans };
    if (e.type === 'pick' && e.sku && e.location) f.binStocked = stocked.has(binId({ site: e.site, location: e.location, sku: e.sku }));
    if (!echo) found.push(...opts.detect(e, f, receivedAt));

    // then the event is applied, as applyToModel and applyFeatures do
    if (e.sku && a.unitCost !== undefined && a.skuClass !== undefined) {
      items.set(e.sku, { unitCost: a.unitCost, skuClass: a.skuClass });
      itemPut.set(e.sku, { sku: e.sku, unitCost: a.unitCost, skuClass: a.skuClass });
    }
    if (e.sku) {
      for (const [i, x] of effectsOf(e).effects.filter((s) => s.wmsDelta !== 0).entries()) {
        movements.push({
          id: i === 0 ? eventKey(e) : `${eventKey(e)}#${i}`, site: x.site, location: x.location, sku: x.sku, type: e.type, qty: x.wmsDelta,
          userId: e.actor?.userId ?? null, deviceId: e.actor?.deviceId ?? null, occurredAt: e.occurredAt, reasonCode: e.reasonCode ?? null,
          referenceKind: e.reference?.kind ?? null, referenceId: e.reference?.id ?? null,
        });
      }
    }
    if (!echo) {
      for (const x of effectsOf(e).effects) {
        const id = binId(x);
        const s = stock.get(id) ?? { wms: 0, erp: 0 };
        stock.set(id, { wms: s.wms + x.wmsDelta, erp: s.erp + x.erpDelta });
        const d = stockDelta.get(id) ?? { site: x.site, location: x.location, sku: x.sku, wms: 0, erp: 0 };
        stockDelta.set(id, { ...d, wms: d.wms + x.wmsDelta, erp: d.erp + x.erpDelta });
      }
    }
    if (e.sku) {
      const touch = (location: string) => {
        const id = binId({ site: e.site, location, sku: e.sku! });
        return [id, binTouch.get(id) ?? { site: e.site, location, sku: e.sku!, stockedAt: null, pickedAt: null }] as const;
      };
      for (const location of effectsOf(e).effects.filter((x) => x.wmsDelta > 0 && x.location !== '').map((x) => x.location)) {
        const [id, t] = touch(location);
        binTouch.set(id, { ...t, stockedAt: later(t.stockedAt, e.occurredAt) });
        stocked.add(id);
      }
      if (e.type === 'pick' && e.location) {
        const [id, t] = touch(e.location);
        binTouch.set(id, { ...t, pickedAt: later(t.pickedAt, e.occurredAt) });
      }
    }
    if (e.location) {
      for (const scanner of scannersOf(e)) {
        const id = siteLocId(e.site, scanner);
        const last = lastScans.get(id);
        if (last && Date.parse(last.at) > Date.parse(e.occurredAt)) continue;
        const zone = f.zones[e.location] ?? zoneOf(e.location) ?? null;
        lastScans.set(id, { scanner, location: e.location, zone: zone ?? undefined, at: e.occurredAt, eventId: e.eventId });
        scanPut.set(id, { site: e.site, scanner, location: e.location, zone, at: e.occurredAt, eventId: e.eventId });
      }
    }
    const loss = isUnexplainedLoss(e) ? Math.abs(e.qty!) : 0;
    for (const { dimension, key } of shrinkEntities(e)) {
      const id = [e.site, dimension, key, dayOf(e.occurredAt)].join('\u0000');
      const b = buckets.get(id) ?? { site: e.site, dimension, key, day: dayOf(e.occurredAt), lossUnits: 0, lossCount: 0 };
      buckets.set(id, { ...b, lossUnits: b.lossUnits + loss, lossCount: b.lossCount + (loss > 0 ? 1 : 0) });
    }
  }

  // rows in key order: concurrent batches then take the same rows' locks in the same order
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, v]) => v);
  await putItems(db, sorted(itemPut));
  await insertMovements(db, movements);
  await addStock(db, sorted(stockDelta));
  await touchBinActivity(db, sorted(binTouch));
  await putLastScans(db, sorted(scanPut));
  await addAdjustmentBuckets(db, sorted(buckets));
  return found;
}
