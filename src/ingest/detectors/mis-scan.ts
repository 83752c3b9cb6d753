import { zoneFor } from '../event-classes';
import type { LastScan } from '../features/types';
import { fmt, reportBase } from './report';
import type { Detector } from './types';

/**
 * The travel-time model: the fewest seconds a person needs between two bins. Within a zone
 * neighbouring bins are a step apart, so nothing is ruled out; between zones it is a walk or a
 * ride across the building. Deliberately coarse: it flags the impossible (two zones apart in
 * seconds), not the merely quick.
 */
export const TRAVEL_SECONDS = { sameLocation: 0, sameZone: 0, otherZone: 60 } as const;

export function travelSeconds(from: { location: string; zone?: string }, to: { location: string; zone?: string }): number {
  if (from.location === to.location) return TRAVEL_SECONDS.sameLocation;
  if (!from.zone || !to.zone || from.zone === to.zone) return TRAVEL_SECONDS.sameZone;
  return TRAVEL_SECONDS.otherZone;
}

/** The first of the event's scanners whose previous scan is too far away for the time between. */
function impossibleHop(last: LastScan[], here: { location: string; zone?: string }, at: string): { scan: LastScan; seconds: number; needed: number } | null {
  for (const scan of last) {
    const seconds = Math.abs(Date.parse(at) - Date.parse(scan.at)) / 1000;
    const needed = travelSeconds(scan, here);
    if (seconds < needed) return { scan, seconds, needed };
  }
  return null;
}

/**
 * mis_scan: an impossible scan sequence — the same user or device at two bins too far apart for
 * the time between the scans — or a pick from a bin nothing was ever put into while the system
 * holds none there. Either way the transaction was probably booked to the wrong bin.
 */
export const misScan: Detector = {
  name: 'mis_scan',
  version: '1',
  onEvent(e, f) {
    if (!e.sku || !e.location || e.qty === undefined || e.qty === 0) return [];
    const here = { location: e.location, zone: zoneFor(f.zones, e.location) };
    const hop = impossibleHop(f.lastScans, here, e.occurredAt);
    const neverStocked = e.type === 'pick' && f.binStocked === false && (f.stock[e.location]?.wms ?? 0) <= 0;
    if (!hop && !neverStocked) return [];
    const why = hop
      ? `${hop.scan.scanner} scanned ${hop.scan.location} ${fmt(Math.round(hop.seconds))} s earlier; the walk takes at least ${hop.needed} s`
      : `picked from ${e.location}, where nothing was put away and the system holds none`;
    return [{ ...reportBase(e, f, 'mis_scan'), expectedQty: 0, observedQty: Math.abs(e.qty), note: why }];
  },
};
