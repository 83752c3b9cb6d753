import { DEFAULT_POLICY, InventoryEvent, type InventoryEventInput } from '../../../src/domain';
import type { Features } from '../../../src/ingest/features/types';

export const NOW = '2026-11-22T10:00:00.000Z';

/** A parsed canonical event, defaults filled in. */
export function event(e: Partial<InventoryEventInput> & Pick<InventoryEventInput, 'type'>): InventoryEvent {
  return InventoryEvent.parse({ eventId: 'E-1', source: 'wms', occurredAt: NOW, site: 'DC1', ...e });
}

/** Features as the loader would give them; the default policy, a C item at 10. */
export function features(f: Partial<Features> = {}): Features {
  return { policy: DEFAULT_POLICY, receivedAt: NOW, item: { unitCost: 10, skuClass: 'C' }, zones: {}, stock: {}, lastScans: [], ...f };
}

export const stock = (wms: number, erp = wms) => ({ wms, erp, known: true });
