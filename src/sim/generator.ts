import { DAY, HOUR, MINUTE, SimContext, type GeneratorOptions, type SimEvent } from './context';
import type { InjectedFault } from './faults';
import { dailyDemand, receiveReturn, replenishTick, shipTransfer } from './inbound';
import { cycleCount, pilfer, placeOrder, writeOff } from './outbound';
import type { Books } from './books';
import type { Warehouse } from './warehouse';

export type { GeneratorOptions, SimEvent } from './context';

export interface Simulation {
  start: number;
  end: number;
  warehouse: Warehouse;
  /** every event, in simulated time order (redeliveries included, marked) */
  events: SimEvent[];
  faults: InjectedFault[];
  books: Books;
  /** the opening stock: receipts dated before the start, posted before the paced stream */
  opening: SimEvent[];
}

/**
 * Generates a run: the warehouse, its opening stock, N days of operations with the planned
 * faults, and a few redelivered events. Pure and deterministic for a seed and start.
 */
export function generate(opts: GeneratorOptions): Simulation {
  const ctx = new SimContext(opts);
  const { warehouse, rng } = ctx;
  openingStock(ctx);
  const opening = ctx.events.splice(0);

  const thieves = new Map<string, { userId: string }>();
  warehouse.sites.forEach((site, i) => {
    const pickers = site.users.filter((u) => u.role === 'picker' && u.shift === 'A');
    const thief = opts.faultsPerSiteDay > 0 ? rng.fork(`thief-${i}`).pick(pickers) : undefined;
    if (thief) thieves.set(site.site, thief);
    const theftFault: { current?: InjectedFault } = {};
    const next = warehouse.sites[(i + 1) % warehouse.sites.length];
    for (let d = 0; d < opts.days; d++) {
      const day = opts.start + d * DAY;
      const r = rng.fork(`${site.site}-day-${d}`);
      const at = (fromH: number, toH: number) => day + r.range(fromH * HOUR, toH * HOUR);
      const orders = Math.round(opts.shape.ordersPerDay * r.range(0.9, 1.1));
      for (let k = 0; k < orders; k++) {
        const t = at(6, 21);
        ctx.schedule(t, () => placeOrder(ctx, site, t));
      }
      for (let h = 6; h <= 20; h++) {
        const t = day + h * HOUR + 30 * MINUTE;
        ctx.schedule(t, () => replenishTick(ctx, site, t));
      }
      for (let k = 0; k < 12; k++) {
        const sku = r.weighted(warehouse.skus, (s) => (s.skuClass === 'A' ? 3 : s.skuClass === 'B' ? 2 : 1)).sku;
        const t = k < 6 ? at(7, 13) : at(14.5, 21);
        ctx.schedule(t, () => cycleCount(ctx, site, sku, t));
      }
      for (let k = r.poisson(5); k > 0; k--) {
        const t = at(8, 15);
        ctx.schedule(t, () => receiveReturn(ctx, site, t));
      }
      if (next !== site) {
        for (let k = 0; k < 3; k++) {
          const t = at(7, 12);
          ctx.schedule(t, () => shipTransfer(ctx, site, next, t));
        }
      }
      for (let k = r.poisson(2); k > 0; k--) {
        const t = at(7, 20);
        ctx.schedule(t, () => writeOff(ctx, site, t, 'DAMAGED'));
      }
      if (r.chance(0.25)) {
        const t = at(7, 20);
        ctx.schedule(t, () => writeOff(ctx, site, t, 'MISSING'));
      }
      const thiefUser = thieves.get(site.site);
      if (thiefUser) {
        const user = site.users.find((u) => u.userId === thiefUser.userId)!;
        for (let k = 0; k < 4; k++) {
          const t = at(6.5, 13.5);
          ctx.schedule(t, () => pilfer(ctx, site, user, t, theftFault));
        }
      }
    }
  });
  ctx.runUntilEnd();

  // an integration now and then delivers a message twice: same source and id, a little later
  const rr = rng.fork('redelivery');
  const redelivered: SimEvent[] = [];
  for (const e of ctx.events) {
    if (!rr.chance(0.01)) continue;
    const at = e.at + rr.range(MINUTE, 20 * MINUTE);
    if (at < ctx.end) redelivered.push({ ...e, at, redelivery: true });
  }
  const events = [...ctx.events, ...redelivered]
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
    .map((x) => x.e);
  const faults = ctx.faults.filter((f) => f.eventIds.length > 0).sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  return { start: opts.start, end: ctx.end, warehouse, events, faults, books: ctx.books, opening };
}

/** Opening stock at every pick face (one to two days of demand), booked by receipts before the start. */
function openingStock(ctx: SimContext): void {
  const rng = ctx.rng.fork('opening');
  const at = ctx.opts.start - HOUR;
  for (const site of ctx.warehouse.sites) {
    for (const k of ctx.warehouse.skus) {
      const home = site.home.get(k.sku)!;
      const qty = Math.max(2, Math.ceil((dailyDemand(ctx, k) * rng.range(1, 2)) / k.pack)) * k.pack;
      const lot = k.lotControlled ? `L-OPEN-${site.site}-${k.sku}` : undefined;
      const expiresOn = lot ? new Date(ctx.opts.start + rng.int(30, 80) * DAY).toISOString().slice(0, 10) : undefined;
      ctx.emit(at, { type: 'receipt', site: site.site, sku: k.sku, location: home, qty, lot, expiresOn, attributes: { postedToErp: true } });
      ctx.books.change(at, site.site, home, k.sku, { phys: qty, wms: qty });
      if (lot) ctx.books.addLot(site.site, home, k.sku, lot, expiresOn!, qty);
    }
  }
}
