import type { Pool } from 'pg';
import type { InventoryEvent } from '../../src/domain';
import { recordEvent, type RecordedEvent } from '../../src/ingest/record-event';
import { getActivePolicy } from '../../src/store/policy-repo';

/**
 * Phase one of event intake only (store, apply, detect; no cases, no watchers): for tests of what
 * an event records — features, accuracy, classes — without a Temporal server.
 */
export async function storeEvent(db: Pool, event: InventoryEvent): Promise<RecordedEvent> {
  return recordEvent(db, event, { policy: (await getActivePolicy(db)).document, stockSource: 'ledger' });
}
