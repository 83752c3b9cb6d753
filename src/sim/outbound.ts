import { MINUTE, zoneOfBin, type SimContext } from './context';
import type { InjectedFault } from './faults';
import type { Prng } from './prng';
import { shiftAt, type SimSite, type SimUser } from './warehouse';

const reserved = new WeakMap<SimContext, Map<string, number>>();
function reservedOf(ctx: SimContext): Map<string, number> {
  if (!reserved.has(ctx)) reserved.set(ctx, new Map());
  return reserved.get(ctx)!;
}

const actorOf = (u: SimUser) => ({ userId: u.userId, deviceId: u.deviceId, shift: u.shift });

/**
 * A customer order of 1–3 lines: the WMS reserves what it believes it has at each pick face
 * (a line it cannot cover is backordered, not released), and a picker picks it a little later;
 * the goods issue posts to the ERP with the pick.
 */
export function placeOrder(ctx: SimContext, site: SimSite, at: number): void {
  const rng = ctx.rng;
  const orderId = `SO-${ctx.nextEventId(site.site).split('-E')[1]}`;
  const n = rng.weighted([1, 2, 3], (k) => (k === 1 ? 3 : k === 2 ? 2 : 1));
  const chosen = new Set<string>();
  for (let i = 0; i < n; i++) chosen.add(rng.weighted(ctx.warehouse.skus, (k) => k.velocity).sku);
  const res = reservedOf(ctx);
  for (const sku of chosen) {
    const item = ctx.warehouse.bySku.get(sku)!;
    const home = site.home.get(sku)!;
    const qty = rng.int(1, item.maxLineQty);
    const k = `${site.site}|${sku}`;
    if (ctx.books.wmsAt(site.site, home, sku) - (res.get(k) ?? 0) < qty) continue;
    res.set(k, (res.get(k) ?? 0) + qty);
    ctx.emit(at, { type: 'reservation', source: 'oms', site: site.site, sku, location: home, qty, reference: { kind: 'order', id: orderId } });
    const pickAt = at + rng.range(5 * MINUTE, 40 * MINUTE);
    ctx.schedule(pickAt, () => pick(ctx, site, orderId, sku, qty, pickAt));
  }
}

/**
 * A pick: the picker takes what is physically at the pick face (FEFO lot by lot for
 * lot-controlled skus) and reports a short when there is less than asked for. A mis-scan
 * books the pick to a bin in another zone the picker never touched.
 */
function pick(ctx: SimContext, site: SimSite, orderId: string, sku: string, qty: number, at: number): void {
  const home = site.home.get(sku)!;
  const item = ctx.warehouse.bySku.get(sku)!;
  ctx.withUser(site, 'picker', zoneOfBin(home), at, (u, t) => {
    const res = reservedOf(ctx);
    res.set(`${site.site}|${sku}`, (res.get(`${site.site}|${sku}`) ?? 0) - qty);
    // the order rides in attributes: a pick naming the order would leave the allocation picked and unissued
    // (the ERP took the goods issue at the pick already) and read as an open allocation to the scorer
    const order = { orderId };
    const phys = ctx.books.physAt(site.site, home, sku);
    if (!item.lotControlled && phys >= qty && ctx.takeFault(site.site, 'mis_scan', t)) {
      const elsewhere = site.zones.filter((z) => z !== zoneOfBin(home));
      const wrong = ctx.rng.pick(site.binsByZone.get(ctx.rng.pick(elsewhere))!.filter((b) => b !== home));
      const eventId = ctx.emit(t, { type: 'pick', site: site.site, sku, location: wrong, qty, actor: actorOf(u), attributes: { postedToErp: true, ...order } });
      ctx.books.change(t, site.site, home, sku, { phys: -qty });
      ctx.books.change(t, site.site, wrong, sku, { wms: -qty });
      ctx.tainted.add(`${site.site}|${home}|${sku}`);
      ctx.addFault({
        kind: 'mis_scan', site: site.site, sku, at: t, needsCorrection: true, eventIds: [eventId],
        note: `pick of ${qty} ${sku} from ${home} scanned as ${wrong}`,
        signatures: [
          { kinds: ['mis_scan', 'negative_inventory', 'count_variance'], site: site.site, sku, location: wrong },
          { kinds: ['phantom_stock', 'count_variance', 'negative_inventory'], site: site.site, sku, location: home },
        ],
      });
      ctx.scanned(u.userId, zoneOfBin(wrong), t);
      return;
    }
    // now and then the picker does not find stock that is there (behind a pallet, on the wrong
    // level) and reports the line short: a benign look-alike of a mis-slot, which a count settles
    const overlooked = !item.lotControlled && phys >= qty && ctx.books.wmsAt(site.site, home, sku) === phys && (ctx.opts.cantFindRate ?? 0) > 0 && ctx.cantFindRng.chance(ctx.opts.cantFindRate!);
    const found = overlooked ? 0 : Math.min(Math.max(phys, 0), qty);
    const short = qty - found;
    const shortAttrs = short > 0 ? { requestedQty: qty, shortQty: short } : {};
    if (item.lotControlled && found > 0) {
      let left = found;
      let i = 0;
      for (const l of [...ctx.books.lotsAt(site.site, home, sku)]) {
        if (left <= 0) break;
        const part = Math.min(l.qty, left);
        left -= part;
        const ti = t + i++ * 5_000;
        ctx.emit(ti, { type: 'pick', site: site.site, sku, location: home, qty: part, lot: l.lot, actor: actorOf(u), attributes: { postedToErp: true, ...order, ...(left === 0 ? shortAttrs : {}) } });
        ctx.books.addLot(site.site, home, sku, l.lot, l.expiresOn, -part);
        ctx.books.change(ti, site.site, home, sku, { phys: -part, wms: -part });
      }
      if (left > 0) {
        ctx.emit(t + i * 5_000, { type: 'pick', site: site.site, sku, location: home, qty: left, actor: actorOf(u), attributes: { postedToErp: true, ...order, ...shortAttrs } });
        ctx.books.change(t + i * 5_000, site.site, home, sku, { phys: -left, wms: -left });
      }
      ctx.scanned(u.userId, zoneOfBin(home), t + i * 5_000);
    } else {
      ctx.emit(t, { type: 'pick', site: site.site, sku, location: home, qty: found, actor: actorOf(u), attributes: { postedToErp: true, ...order, ...shortAttrs } });
      ctx.books.change(t, site.site, home, sku, { phys: -found, wms: -found });
    }
  });
}

/** A cycle count of a pick face: the counter counts what is physically there (or, now and then, miscounts). */
export function cycleCount(ctx: SimContext, site: SimSite, sku: string, at: number): void {
  const home = site.home.get(sku)!;
  ctx.withUser(site, 'counter', zoneOfBin(home), at, (u, t) => {
    const qty = counterReading(ctx.books.physAt(site.site, home, sku), ctx.opts.miscountRate ?? 0, ctx.miscountRng);
    ctx.emit(t, { type: 'count', site: site.site, sku, location: home, qty, actor: actorOf(u) });
  });
}

/**
 * What a counter writes down for a bin holding `phys`: the truth, or — at `rate` — a
 * miscount 3–8 units off either way (never below zero).
 */
export function counterReading(phys: number, rate: number, rng: Prng): number {
  const off = rate > 0 && rng.chance(rate) ? (rng.chance(0.5) ? 1 : -1) * rng.int(3, 8) : 0;
  return Math.max(0, Math.max(0, phys) + off);
}

/** An ordinary write-off: damaged goods (explained), or now and then one nobody can explain. */
export function writeOff(ctx: SimContext, site: SimSite, at: number, reasonCode: 'DAMAGED' | 'MISSING'): void {
  const candidates = ctx.warehouse.skus.filter((k) => !k.lotControlled && !ctx.tainted.has(`${site.site}|${site.home.get(k.sku)}|${k.sku}`) && ctx.books.physAt(site.site, site.home.get(k.sku)!, k.sku) >= 2);
  if (candidates.length === 0) return;
  const item = ctx.rng.pick(candidates);
  const home = site.home.get(item.sku)!;
  // a write-off is keyed in, not scanned: it moves nobody (the engine's travel check sees scans only)
  const shift = shiftAt(new Date(at).getUTCHours());
  if (!shift) return;
  const u = ctx.rng.pick(site.users.filter((x) => x.shift === shift && (x.role === 'clerk' || x.role === 'picker')));
  const qty = Math.min(ctx.rng.int(1, 2), ctx.books.physAt(site.site, home, item.sku));
  if (qty <= 0) return;
  ctx.emit(at, { type: 'adjustment', site: site.site, sku: item.sku, location: home, qty: -qty, reasonCode, actor: actorOf(u) });
  ctx.books.change(at, site.site, home, item.sku, { phys: -qty, wms: -qty });
}

/**
 * The pilfering user: takes a few valuable units and covers it with a negative adjustment
 * without an explaining reason code, several times a shift.
 */
export function pilfer(ctx: SimContext, site: SimSite, thief: SimUser, at: number, fault: { current?: InjectedFault }): void {
  if (at > ctx.latestFor('pilfering_user')) return;
  const candidates = ctx.warehouse.skus.filter((k) => k.skuClass !== 'C' && !k.lotControlled && ctx.books.physAt(site.site, site.home.get(k.sku)!, k.sku) >= 3);
  if (candidates.length === 0) return;
  const item = ctx.rng.pick(candidates);
  const home = site.home.get(item.sku)!;
  const qty = ctx.rng.int(1, 3);
  const eventId = ctx.emit(at, { type: 'adjustment', site: site.site, sku: item.sku, location: home, qty: -qty, reasonCode: 'MISSING', actor: actorOf(thief) });
  ctx.books.change(at, site.site, home, item.sku, { phys: -qty, wms: -qty });
  if (!fault.current) {
    fault.current = ctx.addFault({
      kind: 'pilfering_user', site: site.site, at, needsCorrection: false, eventIds: [],
      note: `${thief.userId} steals and writes the loss off as MISSING`,
      signatures: [{ kinds: ['shrink_pattern'], site: site.site, user: thief.userId }],
    });
  }
  fault.current.eventIds.push(eventId);
}
