import type { InventoryEvent } from '../domain';
import { attributesOf } from './event-attributes';

/** A change to one balance (site, bin, sku) in the WMS view, the ERP view, or both. */
export interface StockEffect {
  site: string;
  /** '' for site-level (unbinned) stock, as the ledger keeps it */
  location: string;
  sku: string;
  wmsDelta: number;
  erpDelta: number;
}

/** Disposition words that take a return out of stock; anything else puts it back on the shelf. */
const DISPOSED = new Set(['scrap', 'destroy', 'vendor', 'rtv', 'return_to_vendor', 'dispose']);

/**
 * What an event does to balances: one rule for the reference ledger, the event-derived stock
 * features and the detectors' "after" view. Conventions:
 * - the WMS view changes with physical movements; the ERP view only when the event says it
 *   posted (`attributes.postedToErp`), except adjustments and sales (posted unless told not)
 *   and moves within a site (both views follow the stock from bin to bin);
 * - an event whose source is `erp` is the ERP's own posting: it changes the ERP view only;
 * - a return is WMS stock until its disposition: restock posts it to the ERP, scrap/vendor
 *   takes it out of the WMS.
 */
export function stockEffects(e: InventoryEvent): StockEffect[] {
  if (!e.sku || e.qty === undefined) return [];
  const a = attributesOf(e);
  const sku = e.sku;
  const here = e.location ?? '';
  const qty = Math.abs(e.qty);
  const fromErp = e.source.toLowerCase() === 'erp';
  const at = (location: string, delta: number, postedByDefault: boolean): StockEffect => {
    const posted = a.postedToErp ?? postedByDefault;
    return fromErp
      ? { site: e.site, location, sku, wmsDelta: 0, erpDelta: delta }
      : { site: e.site, location, sku, wmsDelta: delta, erpDelta: posted ? delta : 0 };
  };
  const transfer = (from: string, to: string): StockEffect[] =>
    from === to ? [] : [at(from, -qty, true), at(to, qty, true)];

  switch (e.type) {
    case 'receipt':
    case 'transfer_received':
      return [at(here, qty, false)];
    case 'return_received':
      return [at(here, qty, false)];
    case 'pick':
    case 'transfer_shipped':
      return [at(here, -qty, false)];
    case 'sale':
      return [at(here, -qty, true)];
    case 'shipment':
      // the goods issue of stock picked earlier: the WMS went down at the pick
      return fromErp || a.postedToErp !== false ? [{ site: e.site, location: here, sku, wmsDelta: 0, erpDelta: -qty }] : [];
    case 'adjustment':
      return e.qty === 0 ? [] : [at(here, e.qty, true)];
    case 'putaway':
      return a.fromLocation ? transfer(a.fromLocation, here) : [];
    case 'move':
      if (a.toLocation) return transfer(here, a.toLocation);
      if (a.fromLocation) return transfer(a.fromLocation, here);
      return [];
    case 'return_disposition': {
      const disposed = DISPOSED.has((a.disposition ?? '').toLowerCase());
      if (fromErp) return [];
      return disposed ? [{ site: e.site, location: here, sku, wmsDelta: -qty, erpDelta: 0 }] : [{ site: e.site, location: here, sku, wmsDelta: 0, erpDelta: qty }];
    }
    default:
      // count, asn, purchase_order, reservation: no balance changes
      return [];
  }
}

/** The bins an event puts stock into (a pick from a bin nothing was ever put into is suspicious). */
export function stockedLocations(e: InventoryEvent): string[] {
  return stockEffects(e)
    .filter((x) => x.wmsDelta > 0 && x.location !== '')
    .map((x) => x.location);
}

/** Whether a return disposition takes the stock out of the WMS (scrap, vendor) rather than restocking it. */
export function isDisposal(disposition: string | undefined): boolean {
  return DISPOSED.has((disposition ?? '').toLowerCase());
}
