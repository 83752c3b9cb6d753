import { DAY, HOUR, MINUTE, SIM_WINDOWS, zoneOfBin, type SimContext } from './context';
import type { SimSite, SimSku } from './warehouse';

/** Daily demand in units of a sku at a site, as the order generator produces it on average. */
export function dailyDemand(ctx: SimContext, sku: SimSku): number {
  const total = ctx.warehouse.skus.reduce((s, k) => s + k.velocity, 0);
  return ctx.opts.shape.ordersPerDay * 2 * (sku.velocity / total) * ((1 + sku.maxLineQty) / 2);
}

const onOrder = new WeakMap<SimContext, Map<string, number>>();
function openQty(ctx: SimContext): Map<string, number> {
  if (!onOrder.has(ctx)) onOrder.set(ctx, new Map());
  return onOrder.get(ctx)!;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayStart = (ms: number) => ms - (ms % DAY);

/** Clamps an instant into receiving hours (07:00–18:00), moving night arrivals to the next morning. */
function inHours(ms: number): number {
  const h = (ms % DAY) / HOUR;
  if (h < 7) return dayStart(ms) + 7 * HOUR;
  if (h >= 18) return dayStart(ms) + DAY + 7 * HOUR + ((ms % HOUR) % (2 * HOUR));
  return ms;
}

/**
 * Hourly replenishment: skus whose pick face plus dock plus open ASNs fall under the reorder
 * point (0.8 days of demand) are ordered in whole cartons; one ASN per site and hour.
 */
export function replenishTick(ctx: SimContext, site: SimSite, at: number): void {
  const open = openQty(ctx);
  const lines: { line: string; sku: string; qty: number }[] = [];
  for (const k of ctx.warehouse.skus) {
    const home = site.home.get(k.sku)!;
    const demand = dailyDemand(ctx, k);
    const position = ctx.books.wmsAt(site.site, home, k.sku) + ctx.books.wmsAt(site.site, site.dock, k.sku) + (open.get(`${site.site}|${k.sku}`) ?? 0);
    if (position >= Math.max(0.8 * demand, k.pack)) continue;
    const cartons = Math.max(2, Math.ceil((1.6 * demand) / k.pack));
    lines.push({ line: String(lines.length + 1), sku: k.sku, qty: cartons * k.pack });
  }
  if (lines.length === 0) return;
  const asnId = `ASN-${site.site}-${ctx.nextEventId(site.site).split('-E')[1]}`;
  const expectedAt = inHours(at + ctx.rng.range(3 * HOUR, 6 * HOUR));
  for (const l of lines) open.set(`${site.site}|${l.sku}`, (open.get(`${site.site}|${l.sku}`) ?? 0) + l.qty);
  ctx.emit(at, { type: 'asn', source: 'erp', site: site.site, reference: { kind: 'asn', id: asnId }, attributes: { lines } }, { expectedAt });
  // the truck comes within an hour of the expected time, the same day (never after the due time)
  const arrival = Math.min(Math.max(expectedAt + ctx.rng.range(-HOUR, HOUR), dayStart(expectedAt) + 7 * HOUR), dayStart(expectedAt) + 19 * HOUR);
  const closes = ctx.rng.chance(0.7);
  ctx.schedule(arrival, () => receiveAsn(ctx, site, asnId, lines, closes, arrival));
}

/** A truck arrives: one receiver books each line at the dock, a few minutes apart. */
function receiveAsn(ctx: SimContext, site: SimSite, asnId: string, lines: { line: string; sku: string; qty: number }[], closes: boolean, at: number): void {
  ctx.withUser(site, 'receiver', zoneOfBin(site.dock), at, (u, t0) => {
    lines.forEach((l, i) => {
      const t = t0 + i * 3 * MINUTE;
      const item = ctx.warehouse.bySku.get(l.sku)!;
      openQty(ctx).set(`${site.site}|${l.sku}`, (openQty(ctx).get(`${site.site}|${l.sku}`) ?? 0) - l.qty);
      const last = i === lines.length - 1;
      let qty = l.qty;
      let posted = true;
      let lot: string | undefined;
      let expiresOn: string | undefined;
      let expired = false;
      let duplicate = false;
      const reference = { kind: 'asn', id: asnId, line: l.line };
      if (item.lotControlled) {
        lot = `L${String(++ctx.lotSeq).padStart(5, '0')}`;
        expired = ctx.takeFault(site.site, 'expired_lot', t);
        expiresOn = expired ? isoDay(dayStart(t) - ctx.rng.int(2, 40) * DAY) : isoDay(ctx.opts.start + (90 + ctx.lotSeq) * DAY);
      } else if (l.qty >= 2 * item.pack && ctx.takeFault(site.site, 'short_carton', t)) {
        qty = l.qty - item.pack;
      } else if (ctx.takeFault(site.site, 'sync_lag', t)) {
        posted = false;
      } else {
        duplicate = ctx.takeFault(site.site, 'duplicate_delivery', t);
      }
      const attributes = { postedToErp: posted, ...(last && closes ? { closesDocument: true } : {}) };
      const base = { type: 'receipt' as const, site: site.site, sku: l.sku, location: site.dock, qty, lot, expiresOn, reference, actor: { userId: u.userId, deviceId: u.deviceId, shift: u.shift }, attributes };
      const eventId = ctx.emit(t, base);
      ctx.books.change(t, site.site, site.dock, l.sku, { phys: qty, wms: qty });
      if (lot) ctx.books.addLot(site.site, site.dock, l.sku, lot, expiresOn!, qty);
      if (qty !== l.qty) {
        ctx.addFault({ kind: 'short_carton', site: site.site, sku: l.sku, at: t, needsCorrection: false, eventIds: [eventId], note: `ASN ${asnId} line ${l.line}: ${l.qty} announced, ${qty} in the truck`, signatures: [{ kinds: ['receiving_variance'], site: site.site, sku: l.sku, reference: { kind: 'asn', id: asnId } }] });
      }
      if (expired) {
        ctx.addFault({ kind: 'expired_lot', site: site.site, sku: l.sku, at: t, needsCorrection: false, eventIds: [eventId], note: `lot ${lot} of ${l.sku} received already expired (${expiresOn})`, signatures: [{ kinds: ['lot_expiry'], site: site.site, sku: l.sku, reference: { kind: 'other', id: `lot:${lot}` } }] });
      }
      if (!posted) {
        const catchUp = t + ctx.rng.range(SIM_WINDOWS.mismatchSettle + 3 * HOUR, SIM_WINDOWS.mismatchSettle + 8 * HOUR);
        ctx.schedule(catchUp, () => ctx.emit(catchUp, { type: 'receipt', source: 'erp', site: site.site, sku: l.sku, location: site.dock, qty, reference }));
        ctx.addFault({ kind: 'sync_lag', site: site.site, sku: l.sku, at: t, needsCorrection: false, eventIds: [eventId], note: `receipt of ${qty} ${l.sku} reached the ERP only after ${((catchUp - t) / HOUR).toFixed(1)} h`, signatures: [{ kinds: ['system_mismatch'], site: site.site, sku: l.sku, location: site.dock }] });
      }
      if (duplicate) {
        // the middleware re-sent the receipt under a new message id: the WMS books it twice
        const dupAt = t + ctx.rng.range(20_000, 2 * MINUTE);
        const dupId = ctx.emit(dupAt, base);
        ctx.books.change(dupAt, site.site, site.dock, l.sku, { wms: qty });
        ctx.tainted.add(`${site.site}|${site.dock}|${l.sku}`);
        ctx.addFault({ kind: 'duplicate_delivery', site: site.site, sku: l.sku, at: dupAt, needsCorrection: true, eventIds: [dupId], note: `receipt ${eventId} (ASN ${asnId} line ${l.line}) booked twice`, signatures: [
          { kinds: ['receiving_variance'], site: site.site, sku: l.sku, reference: { kind: 'asn', id: asnId } },
          // the dock keeps the phantom units after the putaway: a count there finds them missing
          { kinds: ['count_variance'], site: site.site, sku: l.sku, location: site.dock },
        ] });
      }
      const putAt = t + ctx.rng.range(20 * MINUTE, 90 * MINUTE);
      ctx.schedule(putAt, () => putaway(ctx, site, l.sku, qty, lot, putAt));
    });
    ctx.scanned(u.userId, zoneOfBin(site.dock), t0 + (lines.length - 1) * 3 * MINUTE);
  });
}

/** Dock to pick face. A mis-slot puts the stock in a neighbouring bin while the WMS books the pick face. */
export function putaway(ctx: SimContext, site: SimSite, sku: string, qty: number, lot: string | undefined, at: number): void {
  const home = site.home.get(sku)!;
  ctx.withUser(site, 'receiver', zoneOfBin(home), at, (u, t) => {
    const item = ctx.warehouse.bySku.get(sku)!;
    const misSlot = !item.lotControlled && ctx.takeFault(site.site, 'mis_slot', t);
    const actual = misSlot ? ctx.rng.pick(site.binsByZone.get(zoneOfBin(home))!.filter((b) => b !== home)) : home;
    const eventId = ctx.emit(t, { type: 'putaway', site: site.site, sku, location: home, qty, lot, actor: { userId: u.userId, deviceId: u.deviceId, shift: u.shift }, attributes: { fromLocation: site.dock } });
    ctx.books.change(t, site.site, site.dock, sku, { phys: -qty, wms: -qty });
    ctx.books.change(t, site.site, actual, sku, { phys: qty });
    ctx.books.change(t, site.site, home, sku, { wms: qty });
    if (lot) {
      const lots = ctx.books.lotsAt(site.site, site.dock, sku).find((l) => l.lot === lot);
      ctx.books.addLot(site.site, site.dock, sku, lot, lots?.expiresOn ?? '', -qty);
      ctx.books.addLot(site.site, home, sku, lot, lots?.expiresOn ?? '', qty);
    }
    if (misSlot) {
      ctx.tainted.add(`${site.site}|${home}|${sku}`);
      const kinds = ['phantom_stock', 'count_variance', 'negative_inventory'] as const;
      ctx.addFault({
        kind: 'mis_slot', site: site.site, sku, at: t, needsCorrection: true, eventIds: [eventId],
        note: `${qty} ${sku} booked into ${home} but put into ${actual}`,
        signatures: [{ kinds: [...kinds], site: site.site, sku, location: home }, { kinds: [...kinds], site: site.site, sku, location: actual }],
      });
    }
  });
}

/**
 * A transfer to the next site: shipped from the pick face with an ETA, received at the
 * destination dock before ETA plus grace — unless it is a late transfer (much later, or never).
 */
export function shipTransfer(ctx: SimContext, from: SimSite, to: SimSite, at: number): void {
  const rng = ctx.rng;
  const candidates = ctx.warehouse.skus.filter((k) => {
    const home = from.home.get(k.sku)!;
    return !k.lotControlled && !ctx.tainted.has(`${from.site}|${home}|${k.sku}`) && ctx.books.wmsAt(from.site, home, k.sku) >= 8;
  });
  if (candidates.length === 0) return;
  const item = rng.pick(candidates);
  const home = from.home.get(item.sku)!;
  ctx.withUser(from, 'receiver', zoneOfBin(home), at, (u, t) => {
    const qty = rng.int(2, 5);
    if (ctx.books.physAt(from.site, home, item.sku) < qty + 2 || ctx.books.wmsAt(from.site, home, item.sku) < qty + 2) return;
    const transferId = `TR-${ctx.nextEventId(from.site).split('-E')[1]}`;
    const eta = t + rng.range(4 * HOUR, 7 * HOUR);
    const late = ctx.takeFault(from.site, 'late_transfer', t);
    const eventId = ctx.emit(
      t,
      { type: 'transfer_shipped', site: from.site, sku: item.sku, location: home, qty, reference: { kind: 'transfer', id: transferId }, actor: { userId: u.userId, deviceId: u.deviceId, shift: u.shift }, attributes: { toSite: to.site, toLocation: to.dock, postedToErp: true } },
      { eta },
    );
    ctx.books.change(t, from.site, home, item.sku, { phys: -qty, wms: -qty });
    let arrive: number | null = eta - rng.range(0, 1.5 * HOUR);
    if (late) {
      arrive = rng.chance(0.5) ? eta + SIM_WINDOWS.transferGrace + rng.range(3 * HOUR, 8 * HOUR) : null;
      ctx.addFault({ kind: 'late_transfer', site: to.site, sku: item.sku, at: t, detectableAt: eta + SIM_WINDOWS.transferGrace, needsCorrection: false, eventIds: [eventId], note: `transfer ${transferId} due ${new Date(eta).toISOString()}, ${arrive ? `arrives ${new Date(arrive).toISOString()}` : 'never arrives'}`, signatures: [{ kinds: ['transfer_delay'], site: to.site, sku: item.sku, reference: { kind: 'transfer', id: transferId } }] });
    }
    if (arrive !== null) {
      const when = arrive;
      ctx.schedule(when, () => receiveTransfer(ctx, from, to, transferId, item.sku, qty, when));
    }
  });
}

function receiveTransfer(ctx: SimContext, from: SimSite, to: SimSite, transferId: string, sku: string, qty: number, at: number): void {
  ctx.withUser(to, 'receiver', zoneOfBin(to.dock), at, (u, t) => {
    ctx.emit(t, { type: 'transfer_received', site: to.site, sku, location: to.dock, qty, reference: { kind: 'transfer', id: transferId }, actor: { userId: u.userId, deviceId: u.deviceId, shift: u.shift }, attributes: { fromSite: from.site, postedToErp: true } });
    ctx.books.change(t, to.site, to.dock, sku, { phys: qty, wms: qty });
    const putAt = t + ctx.rng.range(20 * MINUTE, 60 * MINUTE);
    ctx.schedule(putAt, () => putaway(ctx, to, sku, qty, undefined, putAt));
  });
}

/**
 * A customer return at the returns bench: a disposition (restock, or scrap) follows within
 * hours — unless the return is left unposted, which the returnWatch must catch.
 */
export function receiveReturn(ctx: SimContext, site: SimSite, at: number): void {
  const item = ctx.rng.pick(ctx.warehouse.skus.filter((k) => !k.lotControlled));
  const qty = ctx.rng.int(1, 2);
  ctx.withUser(site, 'clerk', zoneOfBin(site.returnsBin), at, (u, t) => {
    const returnId = `RMA-${ctx.nextEventId(site.site).split('-E')[1]}`;
    const actor = { userId: u.userId, deviceId: u.deviceId, shift: u.shift };
    const reference = { kind: 'return', id: returnId };
    const eventId = ctx.emit(t, { type: 'return_received', site: site.site, sku: item.sku, location: site.returnsBin, qty, reference, actor }, { dispositionDueBy: t + SIM_WINDOWS.returnDue });
    ctx.books.change(t, site.site, site.returnsBin, item.sku, { phys: qty, wms: qty });
    if (ctx.takeFault(site.site, 'unposted_return', t)) {
      ctx.addFault({
        kind: 'unposted_return', site: site.site, sku: item.sku, at: t, detectableAt: t + SIM_WINDOWS.returnDue, needsCorrection: false, eventIds: [eventId],
        note: `return ${returnId} (${qty} ${item.sku}) never dispositioned`,
        signatures: [{ kinds: ['return_unposted'], site: site.site, sku: item.sku, reference }, { kinds: ['system_mismatch'], site: site.site, sku: item.sku, location: site.returnsBin }],
      });
      ctx.tainted.add(`${site.site}|${site.returnsBin}|${item.sku}`);
      return;
    }
    const due = t + ctx.rng.range(1 * HOUR, 5 * HOUR);
    ctx.schedule(due, () => disposeReturn(ctx, site, item.sku, qty, reference, due));
  });
}

function disposeReturn(ctx: SimContext, site: SimSite, sku: string, qty: number, reference: { kind: string; id: string }, at: number): void {
  ctx.withUser(site, 'clerk', zoneOfBin(site.returnsBin), at, (u, t) => {
    const actor = { userId: u.userId, deviceId: u.deviceId, shift: u.shift };
    const restock = ctx.rng.chance(0.8);
    ctx.emit(t, { type: 'return_disposition', site: site.site, sku, location: site.returnsBin, qty, reference, actor, attributes: { disposition: restock ? 'restock' : 'scrap' } });
    if (!restock) {
      ctx.books.change(t, site.site, site.returnsBin, sku, { phys: -qty, wms: -qty });
      return;
    }
    const home = site.home.get(sku)!;
    const moveAt = t + 10 * MINUTE;
    ctx.schedule(moveAt, () =>
      ctx.withUser(site, 'clerk', zoneOfBin(site.returnsBin), moveAt, (u2, t2) => {
        ctx.emit(t2, { type: 'move', site: site.site, sku, location: site.returnsBin, qty, actor: { userId: u2.userId, deviceId: u2.deviceId, shift: u2.shift }, attributes: { toLocation: home } });
        ctx.books.change(t2, site.site, site.returnsBin, sku, { phys: -qty, wms: -qty });
        ctx.books.change(t2, site.site, home, sku, { phys: qty, wms: qty });
      }),
    );
  });
}
