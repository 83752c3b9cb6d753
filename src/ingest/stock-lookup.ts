import type { PoolClient } from 'pg';
import { createHttpAdapters } from '../adapters/http';
import type { ErpPort, MasterDataPort, StockKey, WmsPort } from '../adapters/ports';
import type { Config } from '../config';
import type { InventoryEvent } from '../domain';
import type { Logger } from '../logger';
import { isStockKnown } from '../store/feature-snapshot';
import { seedStock } from '../store/feature-updates';
import { addLocation, isItemKnown, knownLocations, upsertItemMaster } from '../store/model-repo';
import { stockEffects } from './stock-effects';
import { binId, loadItems, loadStockRows, loadZones, siteLocId } from '../store/feature-batch';
import { inParallel } from './finish-events';

type Db = Pick<PoolClient, 'query'>;

/** A bin's quantities in the WMS and the ERP as those systems hold them now; null when neither knows it. */
export type StockLookup = (key: StockKey) => Promise<{ wms: number; erp: number } | null>;

/** Asks the WMS/ERP through the ports. */
export function portStockLookup(wms: WmsPort, erp: ErpPort): StockLookup {
  return async (key) => {
    const [balance, onHand] = await Promise.all([wms.getBalance(key), erp.getOnHand(key)]);
    if (!balance && !onHand) return null;
    return { wms: balance?.qty ?? 0, erp: onHand?.qty ?? 0 };
  };
}

/**
 * For ADAPTER=http: a bin's stock and the master data for what Reckon sees first, from the
 * remote WMS/ERP (one quick try: intake does not wait on a slow WMS). Empty otherwise.
 */
export function httpIntakeLookups(config: Config, logger: Logger): { stockLookup?: StockLookup; masterData?: MasterDataPort } {
  if (config.ADAPTER !== 'http') return {};
  const ports = createHttpAdapters({
    wmsUrl: config.WMS_HTTP_URL,
    erpUrl: config.ERP_HTTP_URL,
    apiKey: config.ADAPTER_HTTP_API_KEY,
    timeoutMs: Math.min(config.ADAPTER_HTTP_TIMEOUT_MS, 3000),
    circuit: { failures: config.ADAPTER_CIRCUIT_FAILURES, resetMs: config.ADAPTER_CIRCUIT_RESET_MS },
    retry: { attempts: 1 },
    masterDataTtlSeconds: config.MASTER_DATA_TTL_SECONDS,
    logger: logger.child({ component: 'intake-stock-lookup' }),
  });
  return { stockLookup: portStockLookup(ports.wms, ports.erp), masterData: ports.masterData };
}

/**
 * Reckon's stock for the bins an event touches, where Reckon has never seen the bin: taken from
 * the WMS/ERP through the ports before the event is applied, so a first pick from a stocked bin
 * is not mistaken for negative stock. A bin Reckon already knows is left as its events made it.
 * The systems being unreachable leaves the bin unknown (logged); intake goes on.
 */
export async function seedUnknownBins(db: Db, e: InventoryEvent, lookup: StockLookup, logger?: Logger): Promise<number> {
  if (!e.sku) return 0;
  const bins = [...new Set([e.location ?? '', ...stockEffects(e).map((x) => x.location)])];
  let seeded = 0;
  for (const location of bins) if (await seedBinIfUnknown(db, { site: e.site, sku: e.sku, location }, lookup, logger)) seeded++;
  return seeded;
}

/** One bin (location '' for site level): its stock from the WMS/ERP unless Reckon knows it already. */
export async function seedBinIfUnknown(db: Db, key: { site: string; sku: string; location: string }, lookup: StockLookup, logger?: Logger): Promise<boolean> {
  if (await isStockKnown(db, key)) return false;
  let found: Awaited<ReturnType<StockLookup>>;
  try {
    found = await lookup({ site: key.site, sku: key.sku, ...(key.location ? { location: key.location } : {}) });
  } catch (err) {
    logger?.warn({ err: err instanceof Error ? err.message : String(err), ...key }, 'WMS/ERP not reachable for a new bin; its stock starts unknown');
    return false;
  }
  if (!found) return false;
  return seedStock(db, key, found);
}

/**
 * Reckon's item and location master for what an event names and Reckon has never seen: asked of
 * the WMS/ERP through the port once, kept in schema `model`. An event's own cost and class win
 * (model-apply). Unreachable systems leave it unknown (logged); intake goes on.
 */
export async function seedMasterData(db: Db, e: InventoryEvent, md: MasterDataPort, logger?: Logger): Promise<void> {
  try {
    if (e.sku && !(await isItemKnown(db, e.sku))) {
      const item = await md.getItem(e.sku);
      if (item) await upsertItemMaster(db, item, false);
    }
    const bins = [...new Set([e.location ?? '', ...stockEffects(e).map((x) => x.location)])].filter((b) => b !== '');
    if (bins.length === 0) return;
    const known = await knownLocations(db, e.site, bins);
    for (const location of bins.filter((b) => !known.has(b))) {
      const loc = await md.getLocation(e.site, location);
      if (loc) await addLocation(db, e.site, location, loc.zone ?? null);
    }
  } catch (err) {
    logger?.warn({ err: err instanceof Error ? err.message : String(err), site: e.site, sku: e.sku }, 'WMS/ERP master data not reachable; the item or bin stays unknown');
  }
}

/**
 * `seedUnknownBins` and `seedMasterData` for a list of events: what Reckon already knows is
 * read with one statement per table, and only bins, skus and locations it has never seen are
 * asked of the WMS/ERP (each once, a few at a time).
 */
export async function seedForEvents(db: Db, events: InventoryEvent[], ports: { stockLookup?: StockLookup; masterData?: MasterDataPort }, logger?: Logger): Promise<void> {
  const bins = new Map<string, { site: string; sku: string; location: string }>();
  const locations = new Map<string, { site: string; location: string }>();
  const skus = new Set<string>();
  for (const e of events) {
    if (!e.sku) continue;
    skus.add(e.sku);
    for (const location of new Set([e.location ?? '', ...stockEffects(e).map((x) => x.location)])) {
      bins.set(binId({ site: e.site, location, sku: e.sku }), { site: e.site, sku: e.sku, location });
      if (location !== '') locations.set(siteLocId(e.site, location), { site: e.site, location });
    }
  }
  if (ports.stockLookup && bins.size > 0) {
    const known = await loadStockRows(db, [...bins.values()]);
    const unknown = [...bins.entries()].filter(([id]) => !known.has(id)).map(([, b]) => b);
    await inParallel(unknown, 4, async (b) => void (await seedBinIfUnknown(db, b, ports.stockLookup!, logger)));
  }
  const md = ports.masterData;
  if (!md) return;
  const asked = (what: Record<string, unknown>) => (err: unknown) =>
    logger?.warn({ err: err instanceof Error ? err.message : String(err), ...what }, 'WMS/ERP master data not reachable; the item or bin stays unknown');
  const knownItems = await loadItems(db, [...skus]);
  await inParallel([...skus].filter((s) => !knownItems.has(s)), 4, async (sku) => {
    const item = await md.getItem(sku).catch(asked({ sku }));
    if (item) await upsertItemMaster(db, item, false);
  });
  const knownLocations = await loadZones(db, [...locations.values()]);
  await inParallel([...locations.entries()].filter(([id]) => !knownLocations.has(id)).map(([, l]) => l), 4, async (l) => {
    const loc = await md.getLocation(l.site, l.location).catch(asked(l));
    if (loc) await addLocation(db, l.site, l.location, loc.zone ?? null);
  });
}
