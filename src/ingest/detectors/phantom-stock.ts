import { attributesOf } from '../event-attributes';
import { fmt, reportBase } from './report';
import type { Detector } from './types';

/**
 * phantom_stock: a pick came up short at a bin the system says holds enough. The picker found
 * `qty` (everything there was); the system claimed at least what was asked for.
 */
export const phantomStock: Detector = {
  name: 'phantom_stock',
  version: '1',
  onEvent(e, f) {
    if (e.type !== 'pick' || !e.sku || e.qty === undefined || !e.location) return [];
    const a = attributesOf(e);
    const picked = Math.abs(e.qty);
    const requested = a.requestedQty ?? picked + Math.max(0, a.shortQty ?? 0);
    const short = requested - picked;
    if (short <= 0) return [];
    const system = f.stock[e.location]?.wms ?? 0;
    if (system < requested) return [];
    return [
      {
        ...reportBase(e, f, 'phantom_stock'),
        process: 'picking',
        expectedQty: system,
        observedQty: picked,
        note: `pick asked for ${fmt(requested)} and found ${fmt(picked)}; the system held ${fmt(system)}`,
      },
    ];
  },
};
