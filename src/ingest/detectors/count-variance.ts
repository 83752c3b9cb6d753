import type { Detector } from './types';
import { beyondTolerance, fmt, reportBase } from './report';

/**
 * count_variance: a count disagrees with what the system says is in the bin, beyond the active
 * policy's counting tolerance (by sku class, site, zone). A bin the system holds negative is
 * negative_inventory's business, not a count variance.
 */
export const countVariance: Detector = {
  name: 'count_variance',
  version: '1',
  onEvent(e, f) {
    if (e.type !== 'count' || !e.sku || e.qty === undefined || e.qty < 0) return [];
    const system = f.stock[e.location ?? '']?.wms ?? 0;
    if (system < 0) return [];
    const variance = e.qty - system;
    if (!beyondTolerance(f, { site: e.site, location: e.location, process: 'counting' }, system, variance)) return [];
    return [
      {
        ...reportBase(e, f, 'count_variance'),
        process: 'counting',
        expectedQty: system,
        observedQty: e.qty,
        note: `counted ${fmt(e.qty)} where the system holds ${fmt(system)}`,
      },
    ];
  },
};
