import type { Books } from './books';
import type { CaseSummary, SimClient } from './client';

/** One adjustment the inventory controller booked in the WMS after looking at a shadow case's bin. */
export interface ShadowBooking {
  caseId: string;
  site: string;
  location: string;
  sku: string;
  qty: number;
  /** real time, as the WMS stamps the booking */
  occurredAt: string;
}

export interface ShadowRecord {
  /** shadow cases the controller looked at */
  looked: number;
  bookings: ShadowBooking[];
}

/**
 * In shadow mode Reckon only records what it would have done; people keep working as before.
 * The simulated inventory controller takes each shadowed case with a bin, looks at the bin (the
 * physical truth at that simulated moment) and books what the WMS lacks as an adjustment
 * through the WMS (`POST /v1/events`), or nothing when the books are right. Corrections it
 * already booked at a bin count, since the simulated books do not see them. No actor: a
 * controller's corrections are not a person's losses.
 */
export function shadowCrew(client: SimClient, books: Books, simNow: () => number, running: () => boolean, log: (m: string) => void) {
  const record: ShadowRecord = { looked: 0, bookings: [] };
  const seen = new Set<string>();
  const booked = new Map<string, number>();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const lookAt = async (c: CaseSummary) => {
    seen.add(c.id);
    if (!c.location) return;
    record.looked++;
    const bin = `${c.site}|${c.location}|${c.sku}`;
    const p = books.pointAt(c.site, c.location, c.sku, simNow());
    const qty = p.phys - p.wms - (booked.get(bin) ?? 0);
    if (qty === 0) return;
    const occurredAt = new Date().toISOString();
    const res = await client.postEvents([{ eventId: `shadow-adj-${c.id}`, source: 'wms', type: 'adjustment', site: c.site, sku: c.sku, location: c.location, qty, reasonCode: 'CYCLE_COUNT', occurredAt }]);
    if (res.results[0]?.status === 'invalid') {
      log(`shadow crew: adjustment refused: ${JSON.stringify(res.results[0]).slice(0, 200)}`);
      return;
    }
    booked.set(bin, (booked.get(bin) ?? 0) + qty);
    record.bookings.push({ caseId: c.id, site: c.site, location: c.location, sku: c.sku, qty, occurredAt });
  };
  const sweep = async () => {
    for (const c of await client.listCases({ status: 'closed', shadow: true })) if (!seen.has(c.id) && c.resolution === 'shadowed') await lookAt(c);
  };
  const loop = async () => {
    while (running()) {
      try {
        await sweep();
      } catch (err) {
        log(`shadow crew: ${(err as Error).message}`);
      }
      await sleep(2000);
    }
  };
  return { stopped: loop(), record, sweep };
}
