import type { PoolClient } from 'pg';
import { createHttpAdapters } from '../adapters/http';
import type { ErpPort, StockKey, WmsPort } from '../adapters/ports';
import type { Config } from '../config';
import type { InventoryEvent } from '../domain';
import type { Logger } from '../logger';
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
 * For ADAPTER=http, where Reckon's stock per bin is built from the events it receives: the
 * lookup for a bin's first event (the intake processes build it from the config; one quick try,
 * intake does not wait on a slow WMS). Undefined for the embedded adapter.
 */
export function stockLookupFromConfig(config: Config, logger: Logger): StockLookup | undefined {
  if (config.ADAPTER !== 'http') return undefined;
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
  return portStockLookup(ports.wms, ports.erp);
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
  const { rows } = await db.query<{ location: string }>('SELECT location FROM features.stock WHERE site = $1 AND sku = $2 AND location = ANY($3::text[])', [e.site, e.sku, bins]);
  const known = new Set(rows.map((r) => r.location));
  let seeded = 0;
  for (const location of bins.filter((b) => !known.has(b))) {
    let found: Awaited<ReturnType<StockLookup>>;
    try {
      found = await lookup({ site: e.site, sku: e.sku, ...(location ? { location } : {}) });
    } catch (err) {
      logger?.warn({ err: err instanceof Error ? err.message : String(err), site: e.site, sku: e.sku, location }, 'WMS/ERP not reachable for a new bin; its stock starts unknown');
      continue;
    }
    if (!found) continue;
    const r = await db.query(
      `INSERT INTO features.stock (site, location, sku, wms_qty, erp_qty) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (site, location, sku) DO NOTHING`,
      [e.site, location, e.sku, found.wms, found.erp],
    );
    seeded += r.rowCount ?? 0;
  }
  return seeded;
}
