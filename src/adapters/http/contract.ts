import { z } from 'zod';
import type {
  AdjustmentEvidence,
  AllocationEvidence,
  BalanceEvidence,
  CountEvidence,
  InboundEvidence,
  ReturnEvidence,
  TransactionEvidence,
  TransferEvidence,
} from '../../domain';

/**
 * The REST contract of docs/adapters.md, as zod schemas shared by the http adapter (which
 * checks what a remote answers) and the reference server (which checks what it is asked).
 * Response objects are not strict: a remote may add fields of its own.
 */

export const HEADERS = {
  idempotencyKey: 'Idempotency-Key',
  replayed: 'Idempotent-Replayed',
  correlationId: 'X-Correlation-Id',
} as const;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Machine codes a remote puts in a problem body's `code` that the adapter treats specially. */
export const PROBLEM_CODES = {
  /** a request with this key is still being processed: retry later (409) */
  keyInUse: 'idempotency_key_in_use',
  /** the key was used before with a different body (422) */
  keyReused: 'idempotency_key_reused',
} as const;

/** Every path of the contract, relative to the WMS, ERP or webhook base URL. */
export const PATHS = {
  wms: {
    balances: '/balances',
    transactions: '/transactions',
    adjustments: '/adjustments',
    counts: '/counts',
    returnsPending: '/returns/pending',
    countTasks: '/count-tasks',
    holds: '/holds',
    releaseHold: (holdId: string) => `/holds/${encodeURIComponent(holdId)}/release`,
    item: (sku: string) => `/items/${encodeURIComponent(sku)}`,
    stockSnapshot: '/stock-snapshot',
    location: (site: string, location: string) => `/locations/${encodeURIComponent(site)}/${encodeURIComponent(location)}`,
  },
  erp: {
    onHand: '/on-hand',
    allocations: '/allocations/open',
    inboundDocuments: '/inbound-documents',
    transfersInTransit: '/transfers/in-transit',
    stockSnapshot: '/stock-snapshot',
  },
  webhook: { notifications: '/notifications' },
} as const;

// ---- requests -----------------------------------------------------------------------------

const text = (max: number) => z.string().min(1).max(max);
const qty = z.number().finite().min(-1e9).max(1e9);
const timestamp = z.iso.datetime({ offset: true });

export const IdempotencyKey = z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const StockQuery = z.object({ site: text(64), sku: text(128), location: text(128).optional() });
export const SinceQuery = StockQuery.extend({ since: timestamp });
export const InboundQuery = StockQuery.extend({ referenceKind: text(32).optional(), referenceId: text(128).optional() }).refine(
  (q) => (q.referenceKind === undefined) === (q.referenceId === undefined),
  { message: 'referenceKind and referenceId go together', path: ['referenceId'] },
);

export const MAX_SNAPSHOT_PAGE = 5000;
export const SnapshotQuery = z.object({
  site: text(64),
  after: text(128).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_SNAPSHOT_PAGE).default(1000),
});

const StockBody = { site: text(64), sku: text(128), location: text(128).optional() };
export const PostAdjustmentBody = z.strictObject({
  ...StockBody,
  qty,
  target: z.enum(['both', 'erp']),
  reasonCode: text(64),
  caseId: text(200),
  actor: text(200),
});
export const PlaceHoldBody = z.strictObject({ ...StockBody, qty, reason: text(500), caseId: text(200) });
export const CreateCountTaskBody = z.strictObject({ ...StockBody, reason: text(500), caseId: text(200) });
export const NotificationBody = z.strictObject({ role: text(64), site: text(64), caseId: text(200), subject: text(500), body: z.string().max(20_000) });

// ---- responses ----------------------------------------------------------------------------

/** Optional fields may be omitted or null on the wire; the ports see them as absent. */
const opt = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);
const when = z.string().min(1);

export const Balance = z.object({ qty: z.number(), heldQty: z.number() }) satisfies z.ZodType<BalanceEvidence>;
export const Transaction = z.object({
  id: z.string(),
  type: z.string(),
  qty: z.number(),
  userId: opt(z.string()),
  occurredAt: when,
  postedToErp: z.boolean(),
}) satisfies z.ZodType<TransactionEvidence>;
export const Adjustment = z.object({
  id: z.string(),
  qty: z.number(),
  userId: opt(z.string()),
  reasonCode: z.string(),
  occurredAt: when,
}) satisfies z.ZodType<AdjustmentEvidence>;
export const Count = z.object({
  taskId: opt(z.string()),
  countedQty: z.number(),
  countedBy: opt(z.string()),
  countedAt: when,
}) satisfies z.ZodType<CountEvidence>;
export const Return = z.object({ id: z.string(), qty: z.number(), receivedAt: when, dispositioned: z.boolean() }) satisfies z.ZodType<ReturnEvidence>;
export const Allocation = z.object({
  id: z.string(),
  orderId: z.string(),
  qty: z.number(),
  pickedQty: z.number(),
  issuedInErp: z.boolean(),
}) satisfies z.ZodType<AllocationEvidence>;
export const InboundDocument = z.object({
  docKind: z.enum(['asn', 'po', 'receipt']),
  id: z.string(),
  line: opt(z.string()),
  expectedQty: z.number(),
  receivedQty: z.number(),
  postedToErp: z.boolean(),
  receivedAt: opt(when),
}) satisfies z.ZodType<InboundEvidence>;
export const Transfer = z.object({
  id: z.string(),
  fromSite: z.string(),
  toSite: z.string(),
  qty: z.number(),
  shippedAt: when,
  eta: when,
  direction: z.enum(['outbound', 'inbound']),
  receivedInWms: z.boolean(),
}) satisfies z.ZodType<TransferEvidence>;

export const BalanceResponse = z.object({ balance: Balance.nullable() });
export const OnHandResponse = z.object({ onHand: z.object({ qty: z.number() }).nullable() });
export const TransactionsResponse = z.object({ transactions: z.array(Transaction) });
export const AdjustmentsResponse = z.object({ adjustments: z.array(Adjustment) });
export const CountsResponse = z.object({ counts: z.array(Count) });
export const ReturnsResponse = z.object({ returns: z.array(Return) });
export const AllocationsResponse = z.object({ allocations: z.array(Allocation) });
export const InboundDocumentsResponse = z.object({ documents: z.array(InboundDocument) });
export const TransfersResponse = z.object({ transfers: z.array(Transfer) });

export const SnapshotResponse = z.object({
  items: z.array(z.object({ sku: z.string().min(1), qty: z.number(), unitCost: opt(z.number().nonnegative()), skuClass: opt(z.enum(['A', 'B', 'C'])) })),
  next: opt(z.string().min(1)),
  takenAt: when,
});

export const AdjustmentPosted = z.object({ adjustmentId: z.string().min(1) });
export const HoldPlaced = z.object({ holdId: z.string().min(1) });
export const HoldReleased = z.object({ holdId: z.string().min(1), released: z.boolean() });
export const CountTaskCreated = z.object({ taskId: z.string().min(1) });
export const NotificationAccepted = z.object({ notificationId: z.string().min(1) });

/** Item master data (`GET /items/{sku}`). */
export const Item = z.object({
  sku: z.string(),
  description: z.string().default(''),
  skuClass: z.enum(['A', 'B', 'C']),
  unitCost: z.number().nonnegative(),
  uom: z.string().min(1),
  family: opt(z.string()),
  /** the ERP's replenishment levels; absent when it keeps none (the policy's days of cover stand in) */
  reorderPoint: opt(z.number().nonnegative()),
  safetyStock: opt(z.number().nonnegative()),
});
export type Item = z.infer<typeof Item>;

/** Location master data (`GET /locations/{site}/{location}`). */
export const Location = z.object({ site: z.string(), location: z.string(), zone: opt(z.string()) });
export type Location = z.infer<typeof Location>;

/** RFC 9457 problem details, with the contract's machine-readable `code`. */
export const Problem = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
  code: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof Problem>;
