import type { DiscrepancyReportInput } from '../../domain';
import { stockEffects } from '../stock-effects';
import { fmt, reportBase } from './report';
import type { Detector } from './types';

/**
 * negative_inventory: an event takes a bin's WMS balance below zero, or deeper below it. The
 * system of record cannot be right: something was booked to the wrong bin, or never booked in.
 */
export const negativeInventory: Detector = {
  name: 'negative_inventory',
  version: '1',
  onEvent(e, f) {
    const out: DiscrepancyReportInput[] = [];
    for (const x of stockEffects(e)) {
      if (x.wmsDelta >= 0) continue;
      const before = f.stock[x.location]?.wms ?? 0;
      const after = before + x.wmsDelta;
      if (after >= 0) continue;
      out.push({
        ...reportBase(e, f, 'negative_inventory'),
        location: x.location || undefined,
        expectedQty: 0,
        observedQty: after,
        note: `${e.type} of ${fmt(-x.wmsDelta)} left the balance at ${fmt(after)} (was ${fmt(before)})`,
      });
    }
    return out;
  },
};
