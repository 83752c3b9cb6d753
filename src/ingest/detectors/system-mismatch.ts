import type { DiscrepancyReportInput, InventoryEvent } from '../../domain';
import { stockEffects } from '../stock-effects';
import type { Features, StockView } from '../features/types';
import { beyondTolerance, fmt, reportBase } from './report';
import type { Detector } from './types';

/**
 * The mismatch report for one balance, or null when the WMS and ERP views agree within the
 * policy's tolerance. Used on the event and again when the settling window ends.
 */
export function mismatchReport(
  base: Omit<DiscrepancyReportInput, 'expectedQty' | 'observedQty'>,
  f: Pick<Features, 'policy' | 'zones' | 'item'>,
  stock: Pick<StockView, 'wms' | 'erp'>,
): DiscrepancyReportInput | null {
  if (stock.wms < 0 || stock.wms === stock.erp) return null;
  const variance = stock.wms - stock.erp;
  if (!beyondTolerance(f, { site: base.site, location: base.location, process: 'general' }, Math.abs(stock.erp), variance)) return null;
  return { ...base, expectedQty: stock.erp, observedQty: stock.wms, note: `WMS holds ${fmt(stock.wms)}, ERP ${fmt(stock.erp)}` };
}

/**
 * system_mismatch: after an event the WMS and ERP views of a balance differ beyond tolerance.
 * Views legitimately differ for a while (a receipt posts to the ERP later), so findings settle:
 * a watch re-checks after the policy's `watchers.mismatchSettleAfter` and only then reports.
 */
export const systemMismatch: Detector = {
  name: 'system_mismatch',
  version: '1',
  settles: true,
  onEvent(e: InventoryEvent, f) {
    const out: DiscrepancyReportInput[] = [];
    for (const x of stockEffects(e)) {
      if (x.wmsDelta === x.erpDelta) continue;
      const before = f.stock[x.location] ?? { wms: 0, erp: 0 };
      const after = { wms: before.wms + x.wmsDelta, erp: before.erp + x.erpDelta };
      const base = { ...reportBase(e, f, 'system_mismatch'), location: x.location || undefined, causedBy: [] };
      const r = mismatchReport(base, f, after);
      if (r) out.push(r);
    }
    return out;
  },
};
