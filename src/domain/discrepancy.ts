import { z } from 'zod';
import { identifier, LocationId, SiteId, Sku } from './identifiers';
import { Instant } from './instants';

/** Discrepancy kinds. Open-ended in principle; the API accepts this list. */
export const DISCREPANCY_KINDS = [
  'receiving_variance',
  'count_variance',
  'negative_inventory',
  'phantom_stock',
  'system_mismatch',
  'transfer_delay',
  'return_unposted',
  'mis_scan',
  'shrink_pattern',
  'lot_expiry',
  /** a slow systematic divergence across a bin's counts (src/domain/drift.ts): a pattern case */
  'drift',
] as const;
export const DiscrepancyKind = z.enum(DISCREPANCY_KINDS);
export type DiscrepancyKind = z.infer<typeof DiscrepancyKind>;

export const SkuClass = z.enum(['A', 'B', 'C']);
export type SkuClass = z.infer<typeof SkuClass>;

export const Process = z.enum(['receiving', 'picking', 'counting', 'returns', 'transfers', 'general']);
export type Process = z.infer<typeof Process>;

export const DocumentReference = z.object({
  kind: z.enum(['asn', 'po', 'receipt', 'transfer', 'return', 'count_task', 'order', 'other']),
  id: identifier(),
  line: z.string().max(32).optional(),
});
export type DocumentReference = z.infer<typeof DocumentReference>;

/**
 * A discrepancy report as an ERP/WMS (or a detector) sends it. Quantities are in the SKU's
 * base unit; `expectedQty` is what the system of record says, `observedQty` what was seen.
 */
export const DiscrepancyReport = z
  .object({
    kind: DiscrepancyKind,
    site: SiteId,
    sku: Sku,
    location: LocationId.optional(),
    reference: DocumentReference.optional(),
    expectedQty: z.number().finite().min(-1e9).max(1e9),
    observedQty: z.number().finite().min(-1e9).max(1e9),
    uom: z.string().min(1).max(8).default('EA'),
    unitCost: z.number().finite().nonnegative().max(1e7),
    skuClass: SkuClass.default('C'),
    process: Process.optional(),
    source: z.string().min(1).max(32),
    sourceEventIds: z.array(z.string().min(1).max(128)).max(100).default([]),
    /** Users whose transaction or count produced the observation: barred from approving it. */
    causedBy: z.array(z.string().min(1).max(64)).max(20).default([]),
    detectedAt: Instant.optional(),
    note: z.string().max(2000).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.kind !== 'negative_inventory' && r.observedQty < 0) {
      ctx.addIssue({ code: 'custom', path: ['observedQty'], message: 'must be >= 0 unless kind is negative_inventory' });
    }
    if (r.expectedQty < 0 && r.kind !== 'negative_inventory' && r.kind !== 'system_mismatch') {
      ctx.addIssue({ code: 'custom', path: ['expectedQty'], message: 'must be >= 0 for this kind' });
    }
    if (r.expectedQty === r.observedQty && r.kind !== 'negative_inventory') {
      ctx.addIssue({ code: 'custom', path: ['observedQty'], message: 'equals expectedQty: there is no discrepancy' });
    }
  });
export type DiscrepancyReportInput = z.input<typeof DiscrepancyReport>;
export type DiscrepancyReport = z.output<typeof DiscrepancyReport>;

// The pure functions over reports live in zod-free modules (workflow code imports them without
// the schemas); re-exported here so callers keep one place to import a report's vocabulary from.
export { processOf, roundQty, varianceOf, valueAtRisk } from './quantities';
export { dedupeKey, shortHash, workflowIdForKey } from './case-keys';
