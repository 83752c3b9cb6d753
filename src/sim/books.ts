/**
 * The simulator's two views of stock per (site, bin, sku): what is physically there, and what
 * the WMS believes. They agree until a fault splits them. Every change is kept as history, so
 * the count crew can answer a count task with the truth at any simulated moment and the
 * scorecard can judge an adjustment against the truth when it was posted.
 */
export interface StockPoint {
  at: number;
  phys: number;
  wms: number;
}

export interface LotQty {
  lot: string;
  expiresOn: string;
  qty: number;
}

const key = (site: string, location: string, sku: string) => `${site}|${location}|${sku}`;

export class Books {
  private readonly phys = new Map<string, number>();
  private readonly wms = new Map<string, number>();
  readonly history = new Map<string, StockPoint[]>();
  /** lots per (site, bin, sku) in the WMS view, as the engine's lot features see them */
  private readonly lots = new Map<string, LotQty[]>();

  physAt(site: string, location: string, sku: string): number {
    return this.phys.get(key(site, location, sku)) ?? 0;
  }

  wmsAt(site: string, location: string, sku: string): number {
    return this.wms.get(key(site, location, sku)) ?? 0;
  }

  /** Moves both views (or one) by a delta at `at`. */
  change(at: number, site: string, location: string, sku: string, d: { phys?: number; wms?: number }): void {
    const k = key(site, location, sku);
    const phys = (this.phys.get(k) ?? 0) + (d.phys ?? 0);
    const wms = (this.wms.get(k) ?? 0) + (d.wms ?? 0);
    this.phys.set(k, phys);
    this.wms.set(k, wms);
    const h = this.history.get(k) ?? [];
    h.push({ at, phys, wms });
    this.history.set(k, h);
  }

  /** Both views as they stood at `at` (after every change at or before it). */
  pointAt(site: string, location: string, sku: string, at: number): { phys: number; wms: number } {
    const h = this.history.get(key(site, location, sku));
    if (!h || h.length === 0 || h[0].at > at) return { phys: 0, wms: 0 };
    let lo = 0;
    let hi = h.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (h[mid].at <= at) lo = mid;
      else hi = mid - 1;
    }
    return { phys: h[lo].phys, wms: h[lo].wms };
  }

  lotsAt(site: string, location: string, sku: string): LotQty[] {
    return this.lots.get(key(site, location, sku)) ?? [];
  }

  addLot(site: string, location: string, sku: string, lot: string, expiresOn: string, qty: number): void {
    const k = key(site, location, sku);
    const list = this.lots.get(k) ?? [];
    const found = list.find((l) => l.lot === lot);
    if (found) found.qty += qty;
    else list.push({ lot, expiresOn, qty });
    list.sort((a, b) => (a.expiresOn < b.expiresOn ? -1 : a.expiresOn > b.expiresOn ? 1 : a.lot < b.lot ? -1 : 1));
    this.lots.set(
      k,
      list.filter((l) => l.qty > 0),
    );
  }
}
