import type { Pool } from 'pg';
import type { InventoryEvent } from '../../src/domain';
import { loadConfig } from '../../src/config';
import { recordEvent, type RecordedEvent } from '../../src/ingest/record-event';
import { seedMasterData, seedUnknownBins } from '../../src/ingest/stock-lookup';
import { createLogger } from '../../src/logger';
import { intakeWiring } from '../../src/wiring/fake-wms';
import { getActivePolicy } from '../../src/store/policy-repo';

/**
 * Phase one of event intake only (store, apply, detect; no cases, no watchers): for tests of what
 * an event records — features, accuracy, classes — without a Temporal server.
 */
export async function storeEvent(db: Pool, event: InventoryEvent): Promise<RecordedEvent> {
  // what the intake asks the (embedded, fake) WMS/ERP about a first event, then phase one
  const ports = intakeWiring(loadConfig(), db, createLogger({ LOG_LEVEL: 'silent' }, 'test'));
  if (ports.stockLookup) await seedUnknownBins(db, event, ports.stockLookup);
  if (ports.masterData) await seedMasterData(db, event, ports.masterData);
  const recorded = await recordEvent(db, event, { policy: (await getActivePolicy(db)).document, stockSource: 'events' });
  await ports.mirror?.(event);
  return recorded;
}
