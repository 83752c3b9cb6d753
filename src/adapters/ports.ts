import type {
  AdjustmentEvidence,
  AllocationEvidence,
  BalanceEvidence,
  CountEvidence,
  InboundEvidence,
  ReturnEvidence,
  TransactionEvidence,
  TransferEvidence,
} from '../domain';

/** Where a balance lives: site, location (bin) and sku. Location may be absent for site-level cases. */
export interface StockKey {
  site: string;
  sku: string;
  location?: string;
}

export interface PostAdjustmentCommand extends StockKey {
  /** signed delta to apply */
  qty: number;
  /** both: physical truth changed (WMS, posted through to ERP); erp: resync the ERP to the WMS */
  target: 'both' | 'erp';
  reasonCode: string;
  caseId: string;
  actor: string;
  /** unique per intended write: a retry with the same key changes nothing */
  idempotencyKey: string;
}
export interface PostAdjustmentResult {
  adjustmentId: string;
  /** true when the key had been used before and the earlier adjustment was returned */
  replayed: boolean;
}

export interface PlaceHoldCommand extends StockKey {
  qty: number;
  reason: string;
  caseId: string;
  idempotencyKey: string;
}
export interface CreateCountTaskCommand extends StockKey {
  caseId: string;
  reason: string;
  idempotencyKey: string;
}

/** One page of a site's stock per sku (all bins summed), in sku order; `next` is the cursor for the following page. */
export interface StockSnapshotQuery {
  site: string;
  /** the last sku of the previous page; absent: the first page */
  after?: string;
  /** at most this many skus (the remote may answer fewer) */
  limit: number;
}
export interface StockSnapshotItem {
  sku: string;
  qty: number;
  unitCost?: number;
  skuClass?: 'A' | 'B' | 'C';
}
export interface StockSnapshotPage {
  items: StockSnapshotItem[];
  /** absent on the last page */
  next?: string;
  /** when the system took this page */
  takenAt: string;
}

export interface WmsPort {
  getBalance(key: StockKey): Promise<BalanceEvidence | null>;
  listTransactions(key: StockKey, since: string): Promise<TransactionEvidence[]>;
  listAdjustments(key: StockKey, since: string): Promise<AdjustmentEvidence[]>;
  listCountHistory(key: StockKey, since: string): Promise<CountEvidence[]>;
  listReturnsPending(key: StockKey): Promise<ReturnEvidence[]>;
  createCountTask(cmd: CreateCountTaskCommand): Promise<{ taskId: string; replayed: boolean }>;
  placeHold(cmd: PlaceHoldCommand): Promise<{ holdId: string; replayed: boolean }>;
  releaseHold(cmd: { holdId: string; idempotencyKey: string }): Promise<{ released: boolean }>;
  postAdjustment(cmd: PostAdjustmentCommand): Promise<PostAdjustmentResult>;
  /** the WMS's stock per sku at a site, a page at a time (scheduled WMS/ERP reconciliation) */
  stockSnapshot(q: StockSnapshotQuery): Promise<StockSnapshotPage>;
}

export interface ErpPort {
  getOnHand(key: StockKey): Promise<{ qty: number } | null>;
  listOpenAllocations(key: StockKey): Promise<AllocationEvidence[]>;
  listInboundDocuments(key: StockKey, reference?: { kind: string; id: string }): Promise<InboundEvidence[]>;
  listTransfersInTransit(key: StockKey): Promise<TransferEvidence[]>;
  /** the ERP's on-hand per sku at a site, a page at a time */
  stockSnapshot(q: StockSnapshotQuery): Promise<StockSnapshotPage>;
}

export interface Notification {
  role: string;
  site: string;
  caseId: string;
  subject: string;
  body: string;
  idempotencyKey: string;
}
export interface NotifierPort {
  notify(n: Notification): Promise<{ notificationId: string; replayed: boolean }>;
}

/** Item master data as the WMS/ERP hold it; replenishment levels are the ERP's (absent: it has none). */
export interface ItemMaster {
  sku: string;
  description: string;
  skuClass: 'A' | 'B' | 'C';
  unitCost: number;
  uom: string;
  family?: string;
  reorderPoint?: number;
  safetyStock?: number;
}
export interface LocationMaster {
  site: string;
  location: string;
  zone?: string;
}
/** Item and location master data (the http adapter reads it through a Redis cache). */
export interface MasterDataPort {
  getItem(sku: string): Promise<ItemMaster | null>;
  getLocation(site: string, location: string): Promise<LocationMaster | null>;
}
