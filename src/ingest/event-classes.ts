import { zoneOf, type InventoryEvent } from '../domain';

/** Events a person makes by scanning a bin: where they were, and when. */
export const SCAN_TYPES: ReadonlySet<InventoryEvent['type']> = new Set(['receipt', 'putaway', 'pick', 'move', 'count']);

/**
 * Reason codes that explain a loss (the stock is known to have gone somewhere). Any other
 * reason, or none, makes a negative adjustment an unexplained loss for shrink_pattern.
 */
export const EXPLAINED_LOSS_REASONS: ReadonlySet<string> = new Set([
  'DAMAGED', 'DAMAGE', 'EXPIRED', 'SCRAP', 'QUALITY', 'QC', 'SAMPLE', 'RTV', 'RETURN_TO_VENDOR', 'CONSUMED', 'RECLASS',
]);

export function isUnexplainedLoss(e: InventoryEvent): boolean {
  return e.type === 'adjustment' && e.qty !== undefined && e.qty < 0 && !EXPLAINED_LOSS_REASONS.has((e.reasonCode ?? '').toUpperCase());
}

/** Rolling window of shrink_pattern, in days (daily buckets). */
export const SHRINK_WINDOW_DAYS = 14;

/** The scanners of an event: its user and its device, each tracked on its own. */
export function scannersOf(e: InventoryEvent): string[] {
  if (!SCAN_TYPES.has(e.type) || !e.location) return [];
  const out: string[] = [];
  if (e.actor?.userId) out.push(`user:${e.actor.userId}`);
  if (e.actor?.deviceId) out.push(`device:${e.actor.deviceId}`);
  return out;
}

/** The entities an event is activity for, per shrink dimension (peers are the active ones). */
export function shrinkEntities(e: InventoryEvent): { dimension: 'user' | 'shift' | 'location'; key: string }[] {
  const out: { dimension: 'user' | 'shift' | 'location'; key: string }[] = [];
  if (e.actor?.userId) out.push({ dimension: 'user', key: e.actor.userId });
  if (e.actor?.shift) out.push({ dimension: 'shift', key: e.actor.shift });
  if (e.location) out.push({ dimension: 'location', key: e.location });
  return out;
}

/** A location's zone: the location master's when it has one, else the first segment of its name. */
export function zoneFor(zones: Record<string, string | undefined>, location: string): string | undefined {
  return zones[location] ?? zoneOf(location);
}

/** The UTC calendar day of an instant, YYYY-MM-DD. */
export function dayOf(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}
