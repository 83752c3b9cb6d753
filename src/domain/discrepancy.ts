import { z } from 'zod';

/** Discrepancy kinds (DESIGN §4.2). Open-ended in principle; the API accepts this list. */
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
] as const;
export const DiscrepancyKind = z.enum(DISCREPANCY_KINDS);
export type DiscrepancyKind = z.infer<typeof DiscrepancyKind>;

export const SkuClass = z.enum(['A', 'B', 'C']);
export type SkuClass = z.infer<typeof SkuClass>;

export const Process = z.enum(['receiving', 'picking', 'counting', 'returns', 'transfers', 'general']);
export type Process = z.infer<typeof Process>;

/** Identifiers used in keys and paths: no whitespace, bounded. Events use them too (site, sku). */
export const identifier = (max = 64) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:#]*$/, 'letters, digits and . _ - / : # only');

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
    site: identifier(32),
    sku: identifier(),
    location: identifier().optional(),
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
    detectedAt: z.iso.datetime({ offset: true }).optional(),
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

/** Which process's tolerance applies when the report does not say. */
export function processOf(report: Pick<DiscrepancyReport, 'kind' | 'process'>): Process {
  if (report.process) return report.process;
  switch (report.kind) {
    case 'receiving_variance':
      return 'receiving';
    case 'count_variance':
      return 'counting';
    case 'phantom_stock':
    case 'mis_scan':
      return 'picking';
    case 'return_unposted':
      return 'returns';
    case 'transfer_delay':
      return 'transfers';
    default:
      return 'general';
  }
}

/**
 * Quantities rounded to a millionth of a unit: fractional units of measure (KG, L) must compare
 * equal when they are equal (10.3 − 10 is 0.3, not 0.30000000000000071).
 */
export function roundQty(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

export function varianceOf(r: Pick<DiscrepancyReport, 'expectedQty' | 'observedQty'>): number {
  return roundQty(r.observedQty - r.expectedQty);
}

/** Value at risk: absolute variance at unit cost, rounded to cents. */
export function valueAtRisk(variance: number, unitCost: number): number {
  return Math.round(Math.abs(variance) * unitCost * 100) / 100;
}

/** The dedupe key (DESIGN §4.2): kind + site + sku + location + reference. */
export function dedupeKey(r: Pick<DiscrepancyReport, 'kind' | 'site' | 'sku' | 'location' | 'reference'>): string {
  const ref = r.reference ? `${r.reference.kind}:${r.reference.id}:${r.reference.line ?? ''}` : '';
  return [r.kind, r.site, r.sku, r.location ?? '', ref].join('|');
}

/** 32-bit FNV-1a twice with different seeds: short, stable, dependency-free (usable in workflows). */
export function shortHash(text: string): string {
  const fnv = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, '0');
  };
  return fnv(0x811c9dc5) + fnv(0x01234567);
}

/**
 * Workflow ID for a dedupe key. Readable for operators in the Temporal UI, and unique per key,
 * so Temporal itself enforces "one open case per key".
 */
export function workflowIdForKey(r: Pick<DiscrepancyReport, 'kind' | 'site' | 'sku' | 'location' | 'reference'>): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40);
  return `disc-${r.kind}-${safe(r.site)}-${safe(r.sku)}-${shortHash(dedupeKey(r))}`;
}
