import type { InventoryEvent } from '../../domain';
import { dayOf } from '../event-classes';
import { refId, reportBase } from './report';
import type { Detector } from './types';

/** Events that put a lot where it can be picked. */
const MAKES_AVAILABLE: ReadonlySet<InventoryEvent['type']> = new Set(['receipt', 'putaway', 'transfer_received', 'return_received']);

/**
 * lot_expiry: an expired lot picked or put into available stock, or a FEFO violation — a pick
 * of a lot while an earlier-expiring, unexpired lot of the sku is on hand at the site. The
 * lot's expiry comes from the event, else from what earlier events said about the lot.
 */
export const lotExpiry: Detector = {
  name: 'lot_expiry',
  version: '1',
  onEvent(e, f) {
    if (!e.lot || !e.sku || !e.location || e.qty === undefined || e.qty === 0) return [];
    const expires = e.expiresOn ?? f.lotExpiresOn;
    if (!expires) return [];
    const today = dayOf(e.occurredAt);
    const base = { ...reportBase(e, f, 'lot_expiry'), reference: { kind: 'other' as const, id: refId(`lot:${e.lot}`) }, expectedQty: 0, observedQty: Math.abs(e.qty) };
    if (expires < today && (e.type === 'pick' || MAKES_AVAILABLE.has(e.type))) {
      const what = e.type === 'pick' ? 'picked' : `made available by a ${e.type}`;
      return [{ ...base, note: `lot ${e.lot} expired on ${expires} and was ${what} on ${today}` }];
    }
    if (e.type !== 'pick') return [];
    const earlier = (f.lots ?? []).find((l) => l.lot !== e.lot && l.qty > 0 && l.expiresOn !== undefined && l.expiresOn >= today && l.expiresOn < expires);
    if (!earlier) return [];
    return [
      {
        ...base,
        note: `FEFO: picked lot ${e.lot} (expires ${expires}) while lot ${earlier.lot} (expires ${earlier.expiresOn}) is on hand at ${earlier.location}`,
      },
    ];
  },
};
