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
