import type { DiscrepancyReportInput } from '../../domain';
import { isUnexplainedLoss } from '../event-classes';
import { fmt, refId, reportBase } from './report';
import { median, robustZ } from './robust';
import type { Detector } from './types';

/** How unusual a loss total must be against peers, and how much evidence it needs. */
export const SHRINK_THRESHOLDS = { minZ: 3.5, minPeers: 3, minLossCount: 3 } as const;

/**
 * shrink_pattern: unexplained negative adjustments concentrated on one user, shift or location.
 * Each entity's unexplained loss units over the rolling window are compared with its active
 * peers' at the site by a robust z-score; an outlier with repeated losses is reported on the
 * stock the latest loss hit. The reference names the entity, so further losses of that stock
 * merge into the open case; cases of one entity across skus share it for clustering.
 */
export const shrinkPattern: Detector = {
  name: 'shrink_pattern',
  version: '1',
  onEvent(e, f) {
    if (!isUnexplainedLoss(e) || !e.sku || !f.shrink) return [];
    const loss = Math.abs(e.qty!);
    const out: DiscrepancyReportInput[] = [];
    for (const w of f.shrink) {
      const units = w.lossUnits + loss;
      const count = w.lossCount + 1;
      if (count < SHRINK_THRESHOLDS.minLossCount || w.peers.length < SHRINK_THRESHOLDS.minPeers) continue;
      const z = robustZ(units, w.peers);
      if (z < SHRINK_THRESHOLDS.minZ) continue;
      const typical = Math.round(median(w.peers) * 1000) / 1000;
      if (typical === units) continue;
      out.push({
        ...reportBase(e, f, 'shrink_pattern'),
        // the bin only keys the case when the bin is the entity
        location: w.dimension === 'location' ? e.location : undefined,
        reference: { kind: 'other', id: refId(`${w.dimension}:${w.key}`) },
        expectedQty: typical,
        observedQty: units,
        causedBy: w.dimension === 'user' ? [w.key] : [],
        note: `${w.dimension} ${w.key}: ${fmt(units)} units lost in ${count} unexplained adjustments over ${w.windowDays} days; peers' median ${fmt(typical)} (robust z ${z.toFixed(1)}, ${w.peers.length} peers)`,
      });
    }
    return out;
  },
};
