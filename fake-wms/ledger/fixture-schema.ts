import { z } from 'zod';
import { DocumentReference, SkuClass } from '../../src/domain';

/**
 * The ledger fixture format (docs/ledger-fixture.md). Every section is optional; objects are
 * strict so a misspelt field is reported instead of silently ignored.
 */
const code = (max = 64) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:#]*$/, 'letters, digits and . _ - / : # only');
const site = code(32);
const qty = z.number().finite().min(-1e9).max(1e9);
const nonNegativeQty = qty.min(0);
const positiveQty = qty.positive();
const timestamp = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 timestamp with offset, e.g. 2026-11-22T08:15:00Z' });
const person = z.string().min(1).max(64);

export const TRANSACTION_TYPES = [
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
  'shipment',
  'sale',
] as const;

export const FixtureItem = z.strictObject({
  sku: code(),
  description: z.string().max(200).default(''),
  skuClass: SkuClass,
  unitCost: z.number().finite().nonnegative().max(1e7),
  uom: z.string().min(1).max(8).default('EA'),
  family: z.string().min(1).max(64).optional(),
  /** the ERP's replenishment levels */
  reorderPoint: z.number().finite().nonnegative().max(1e9).optional(),
  safetyStock: z.number().finite().nonnegative().max(1e9).optional(),
});

export const FixtureLocation = z.strictObject({
  site,
  location: code(),
  zone: z.string().min(1).max(32).optional(),
});

export const FixtureBalance = z.strictObject({
  site,
  location: code(),
  sku: code(),
  wmsQty: qty,
  erpQty: qty,
  /** left out: a reload keeps the held quantity that holds placed since */
  heldQty: nonNegativeQty.optional(),
});

export const FixtureTransaction = z
  .strictObject({
    id: code(128),
    site,
    location: code().optional(),
    sku: code(),
    type: z.enum(TRANSACTION_TYPES),
    qty,
    userId: person.optional(),
    deviceId: z.string().min(1).max(64).optional(),
    occurredAt: timestamp,
    reasonCode: z.string().min(1).max(32).optional(),
    reference: DocumentReference.strict().optional(),
    postedToErp: z.boolean().default(false),
  })
  .superRefine((t, ctx) => {
    if (t.type === 'adjustment' && !t.reasonCode) {
      ctx.addIssue({ code: 'custom', path: ['reasonCode'], message: 'required for an adjustment' });
    }
  });

export const FixtureAllocation = z
  .strictObject({
    id: code(128),
    orderId: code(128),
    site,
    location: code().optional(),
    sku: code(),
    qty: nonNegativeQty,
    pickedQty: nonNegativeQty.default(0),
    issuedInErp: z.boolean().default(false),
  })
  .superRefine((a, ctx) => {
    if (a.pickedQty > a.qty) ctx.addIssue({ code: 'custom', path: ['pickedQty'], message: 'cannot exceed qty' });
  });

export const FixtureInboundDocument = z.strictObject({
  docKind: z.enum(['asn', 'po', 'receipt']),
  id: code(128),
  line: z.string().min(1).max(32).optional(),
  site,
  location: code().optional(),
  sku: code(),
  expectedQty: nonNegativeQty.default(0),
  receivedQty: nonNegativeQty.default(0),
  postedToErp: z.boolean().default(false),
  receivedAt: timestamp.optional(),
});

export const FixtureTransfer = z
  .strictObject({
    id: code(128),
    sku: code(),
    fromSite: site,
    fromLocation: code().optional(),
    toSite: site,
    toLocation: code().optional(),
    qty: positiveQty,
    shippedAt: timestamp,
    eta: timestamp,
    receivedInWms: z.boolean().default(false),
    receivedInErp: z.boolean().default(false),
    receivedAt: timestamp.optional(),
  })
  .superRefine((t, ctx) => {
    if (t.fromSite === t.toSite) ctx.addIssue({ code: 'custom', path: ['toSite'], message: 'must differ from fromSite (a move within a site is a transaction)' });
  });

export const FixtureReturn = z.strictObject({
  id: code(128),
  site,
  location: code().optional(),
  sku: code(),
  qty: positiveQty,
  receivedAt: timestamp,
  dispositioned: z.boolean().default(false),
});

export const FixtureCount = z.strictObject({
  id: code(128),
  site,
  location: code().optional(),
  sku: code(),
  countedQty: nonNegativeQty,
  countedBy: person.optional(),
  countedAt: timestamp,
});

export const LedgerFixture = z
  .strictObject({
    /** what the fixture is for; not stored */
    description: z.string().max(2000).optional(),
    items: z.array(FixtureItem).default([]),
    locations: z.array(FixtureLocation).default([]),
    balances: z.array(FixtureBalance).default([]),
    transactions: z.array(FixtureTransaction).default([]),
    allocations: z.array(FixtureAllocation).default([]),
    inboundDocuments: z.array(FixtureInboundDocument).default([]),
    transfers: z.array(FixtureTransfer).default([]),
    returns: z.array(FixtureReturn).default([]),
    counts: z.array(FixtureCount).default([]),
  })
  // runs even when rows have other problems, so one pass reports everything
  .superRefine((f, ctx) => reportDuplicateKeys(f, (path, message) => ctx.addIssue({ code: 'custom', path, message })), {
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  });

export type LedgerFixtureInput = z.input<typeof LedgerFixture>;
export type LedgerFixture = z.output<typeof LedgerFixture>;

/** Where the fixture names master data, so unknown skus and bins can be reported by path. */
export interface MasterDataReference {
  path: string;
  sku?: string;
  site?: string;
  location?: string;
}

export function masterDataReferences(f: LedgerFixture): MasterDataReference[] {
  const refs: MasterDataReference[] = [];
  const stock = (section: string, rows: { site: string; location?: string; sku: string }[]) =>
    rows.forEach((r, i) => {
      refs.push({ path: `${section}[${i}].sku`, sku: r.sku });
      if (r.location) refs.push({ path: `${section}[${i}].location`, site: r.site, location: r.location });
    });
  stock('balances', f.balances);
  stock('transactions', f.transactions);
  stock('allocations', f.allocations);
  stock('inboundDocuments', f.inboundDocuments);
  stock('returns', f.returns);
  stock('counts', f.counts);
  f.transfers.forEach((t, i) => {
    refs.push({ path: `transfers[${i}].sku`, sku: t.sku });
    if (t.fromLocation) refs.push({ path: `transfers[${i}].fromLocation`, site: t.fromSite, location: t.fromLocation });
    if (t.toLocation) refs.push({ path: `transfers[${i}].toLocation`, site: t.toSite, location: t.toLocation });
  });
  return refs;
}

/** Each section's natural key: one statement upserts a section, so a key twice in it is ambiguous. */
const SECTION_KEYS: Record<string, { field: string; key: string[] }> = {
  items: { field: 'sku', key: ['sku'] },
  locations: { field: 'location', key: ['site', 'location'] },
  balances: { field: 'sku', key: ['site', 'location', 'sku'] },
  transactions: { field: 'id', key: ['id'] },
  allocations: { field: 'id', key: ['id'] },
  inboundDocuments: { field: 'id', key: ['docKind', 'id', 'line'] },
  transfers: { field: 'id', key: ['id'] },
  returns: { field: 'id', key: ['id'] },
  counts: { field: 'id', key: ['id'] },
};

function reportDuplicateKeys(doc: unknown, report: (path: (string | number)[], message: string) => void): void {
  const sections = doc as Record<string, unknown>;
  for (const [section, { field, key }] of Object.entries(SECTION_KEYS)) {
    const rows = sections[section];
    if (!Array.isArray(rows)) continue;
    const seen = new Map<string, number>();
    rows.forEach((row: unknown, i) => {
      if (typeof row !== 'object' || row === null) return;
      const k = JSON.stringify(key.map((name) => (row as Record<string, unknown>)[name] ?? null));
      const first = seen.get(k);
      if (first === undefined) seen.set(k, i);
      else report([section, i, field], `duplicate of ${section}[${first}]`);
    });
  }
}
