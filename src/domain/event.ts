import { z } from 'zod';
import { LocationId, SiteId, Sku } from './identifiers';
import { Instant, IsoDate } from './instants';

/** Canonical inventory event v1 (docs/integration.md). `(source, eventId)` is unique. */
export const EVENT_TYPES = [
  'receipt',
  'putaway',
  'pick',
  'move',
  'adjustment',
  'count',
  'transfer_shipped',
  'transfer_received',
  'return_received',
  'return_disposition',
  'asn',
  'purchase_order',
  'reservation',
  'shipment',
  'sale',
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

const id = (max = 128) => z.string().min(1).max(max);

export const MAX_ATTRIBUTES_BYTES = 16 * 1024;
/** JSON length; a value JSON cannot write (too deep) counts as too large */
function jsonSize(v: unknown): number {
  try {
    return JSON.stringify(v).length;
  } catch {
    return Infinity;
  }
}

export const InventoryEvent = z
  .object({
    eventId: id(),
    source: id(32),
    type: EventType,
    occurredAt: Instant,
    // site and sku identify a case (its dedupe key): an event a case could not be opened for is refused here
    site: SiteId,
    location: LocationId.optional(),
    sku: Sku.optional(),
    qty: z.number().finite().min(-1e9).max(1e9).optional(),
    uom: z.string().min(1).max(8).optional(),
    lot: z.string().max(64).optional(),
    expiresOn: IsoDate.optional(),
    actor: z
      .object({ userId: id(64).optional(), deviceId: id(64).optional(), shift: z.string().max(16).optional() })
      .strict()
      .optional(),
    reasonCode: z.string().max(32).optional(),
    reference: z
      .object({ kind: z.string().min(1).max(32), id: id(64), line: z.string().max(32).optional() })
      .strict()
      .optional(),
    correlationId: z.string().max(128).optional(),
    /** free-form extras, at most 16 KiB as JSON: every event's body is stored and read back */
    attributes: z
      .record(z.string(), z.unknown())
      .default({})
      .refine((a) => jsonSize(a) <= MAX_ATTRIBUTES_BYTES, `at most ${MAX_ATTRIBUTES_BYTES / 1024} KiB as JSON`),
  })
  .strict()
  .superRefine((e, ctx) => {
    const needsStock = !['asn', 'purchase_order'].includes(e.type) || e.sku !== undefined;
    if (needsStock && e.sku === undefined) ctx.addIssue({ code: 'custom', path: ['sku'], message: `required for ${e.type}` });
    if (e.type !== 'asn' && e.type !== 'purchase_order' && e.qty === undefined) {
      ctx.addIssue({ code: 'custom', path: ['qty'], message: `required for ${e.type}` });
    }
  });
export type InventoryEventInput = z.input<typeof InventoryEvent>;
export type InventoryEvent = z.output<typeof InventoryEvent>;
