import {
  judgeTolerance,
  toleranceFor,
  zoneOf,
  type DiscrepancyKind,
  type DiscrepancyReportInput,
  type InventoryEvent,
  type Process,
} from '../../domain';
import type { Features } from '../features/types';

/** The fields every detector's report shares: where, what it costs, which event, who. */
export function reportBase(e: InventoryEvent, f: Features, kind: DiscrepancyKind): Omit<DiscrepancyReportInput, 'expectedQty' | 'observedQty'> {
  return {
    kind,
    site: e.site,
    sku: e.sku ?? '',
    location: e.location,
    unitCost: f.item.unitCost,
    skuClass: f.item.skuClass,
    source: e.source,
    sourceEventIds: [e.eventId],
    causedBy: e.actor?.userId ? [e.actor.userId] : [],
    detectedAt: f.receivedAt,
  };
}

/** Whether a variance is beyond the active policy's tolerance for this scope. */
export function beyondTolerance(
  f: Pick<Features, 'policy' | 'zones' | 'item'>,
  scope: { site: string; location?: string; process: Process },
  expectedQty: number,
  variance: number,
): boolean {
  const zone = scope.location ? (f.zones[scope.location] ?? zoneOf(scope.location)) : undefined;
  const limits = toleranceFor(f.policy, { site: scope.site, zone, process: scope.process, skuClass: f.item.skuClass });
  return variance !== 0 && !judgeTolerance(limits, expectedQty, variance, f.item.unitCost).within;
}

export const fmt = (q: number) => (Number.isInteger(q) ? String(q) : q.toFixed(3).replace(/0+$/, ''));

/** An identifier safe for a document reference id (letters, digits and . _ - / : #). */
export function refId(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9._\-/:#]/g, '_').slice(0, 64);
  return /^[A-Za-z0-9]/.test(safe) ? safe : `x${safe}`.slice(0, 64);
}
