import type { Pool } from 'pg';
import { createReferenceLedger, followEvent, type ReferenceLedgerOptions } from '../../fake-wms/ledger';
import type { ErpPort, MasterDataPort, NotifierPort, WmsPort } from '../adapters/ports';
import type { Config } from '../config';
import type { InventoryEvent } from '../domain';
import { httpIntakeLookups, portStockLookup, type StockLookup } from '../ingest/stock-lookup';
import type { Logger } from '../logger';

/**
 * The composition root's one door to the fake WMS/ERP (fake-wms/, the demo's stand-in for a
 * customer's systems): nothing else under src/ imports it (eslint.config.js). With
 * ADAPTER=reference the fake is wired in as the WMS/ERP ports; with ADAPTER=http the http adapter.
 */
export { loadFixture, parseFixture, listBalances, FixtureInvalid } from '../../fake-wms/ledger';
export { changedRows } from '../../fake-wms/ledger/fixture';

export function fakeWmsPorts(db: Pool, opts: ReferenceLedgerOptions = {}): { wms: WmsPort; erp: ErpPort; notifier: NotifierPort; masterData: MasterDataPort } {
  return createReferenceLedger(db, opts);
}

export interface IntakeWiring {
  /** a bin's stock from the WMS/ERP when Reckon sees its first event */
  stockLookup?: StockLookup;
  /** item and location master data when Reckon first sees a sku or bin */
  masterData?: MasterDataPort;
  /** the embedded demo only: the fake WMS/ERP books each accepted event as if it had emitted it */
  mirror?: (event: InventoryEvent) => Promise<void>;
}

/**
 * What every event door (API, queue consumer, sweeper) is given: the WMS/ERP ports to ask about
 * what Reckon sees first, and with the embedded fake, the fake following the events (a real
 * WMS, their origin, has booked them already).
 */
export function intakeWiring(config: Config, db: Pool, logger: Logger): IntakeWiring {
  if (config.ADAPTER === 'http') return httpIntakeLookups(config, logger);
  const fake = createReferenceLedger(db);
  return {
    stockLookup: portStockLookup(fake.wms, fake.erp),
    masterData: fake.masterData,
    mirror: async (event) => {
      await followEvent(db, event);
    },
  };
}
