import { DRIFT_PARAMS, detectDrift } from '../../domain/drift';
import { fmt, refId, reportBase } from './report';
import type { Detector } from './types';

const pct = (n: number) => `${Math.abs(n).toFixed(2)} %`;

/**
 * drift: the bin's counts, this one included, drift one way (the CUSUM of domain/drift.ts) though
 * each may be inside tolerance. Reported on the bin with a reference naming it, so later counts of
 * the drift merge into the open case; the quantities are the units the run's counts found
 * missing (or extra) against none expected, and the note carries direction, size and evidence.
 */
export const drift: Detector = {
  name: 'drift',
  version: '1',
  onEvent(e, f) {
    if (e.type !== 'count' || !e.sku || !e.location || e.qty === undefined || e.qty < 0 || !f.countSeries) return [];
    const system = f.stock[e.location]?.wms ?? 0;
    if (system < 0) return [];
    const found = detectDrift([...f.countSeries, { at: e.occurredAt, systemQty: system, countedQty: e.qty }], DRIFT_PARAMS);
    if (!found) return [];
    const units = Math.max(1, Math.round(Math.abs(found.units)));
    const evidence = found.evidence.map((x) => `${x.at.slice(0, 10)} ${fmt(x.countedQty)}/${fmt(x.systemQty)}`).join(', ');
    return [
      {
        ...reportBase(e, f, 'drift'),
        process: 'counting',
        reference: { kind: 'other', id: refId(`drift:${e.location}:${e.sku}`) },
        expectedQty: 0,
        observedQty: units,
        note:
          `${found.direction === 'loss' ? 'loss' : 'gain'} drift of about ${pct(found.perWeekPct)} of stock a week (${fmt(Math.abs(found.perWeekUnits))} units) ` +
          `over ${found.evidence.length} counts, ${fmt(units)} units in all (CUSUM ${found.cusumPct.toFixed(2)} %, threshold ${DRIFT_PARAMS.thresholdPct} %); ` +
          `counted/system: ${evidence}`.slice(0, 1500),
      },
    ];
  },
};
