import type { InventoryEvent } from '../domain';

/**
 * Typed reads of an event's free-form `attributes`. The canonical event keeps attributes open
 * (each source adds its own); these are the ones Reckon understands. A value of the wrong type
 * is treated as absent rather than failing the event.
 */
export interface KnownAttributes {
  /** the ERP has this transaction too (receipts, picks, transfers are WMS-only otherwise) */
  postedToErp?: boolean;
  /** putaway / move: the bin the stock came from */
  fromLocation?: string;
  /** move: the bin the stock went to (then `location` is where it came from) */
  toLocation?: string;
  /** pick: what the pick asked for, and how much of it could not be found */
  requestedQty?: number;
  shortQty?: number;
  /** transfer_shipped: destination site and bin, and when it should arrive */
  toSite?: string;
  eta?: string;
  /** transfer_received: where it came from (when the shipment was not seen) */
  fromSite?: string;
  /** return_received: when a disposition is due; return_disposition: restock | scrap | vendor */
  dispositionDueBy?: string;
  disposition?: string;
  /** asn / purchase_order: when the goods are expected; its lines when there are several */
  expectedAt?: string;
  lines?: { line: string; sku: string; qty: number; location?: string }[];
  /** receipt: the receiver closed this line, or the whole document */
  closesLine?: boolean;
  closesDocument?: boolean;
  /** master data the source may carry */
  unitCost?: number;
  skuClass?: 'A' | 'B' | 'C';
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
const isoTime = (v: unknown) => {
  const s = str(v);
  return s !== undefined && !Number.isNaN(Date.parse(s)) ? new Date(s).toISOString() : undefined;
};

function lines(v: unknown): KnownAttributes['lines'] {
  if (!Array.isArray(v)) return undefined;
  const out: NonNullable<KnownAttributes['lines']> = [];
  for (const l of v.slice(0, 1000)) {
    const o = (l ?? {}) as Record<string, unknown>;
    const line = str(o.line) ?? (typeof o.line === 'number' ? String(o.line) : undefined);
    const sku = str(o.sku);
    const qty = num(o.qty);
    if (line && sku && qty !== undefined && qty >= 0) out.push({ line, sku, qty, location: str(o.location) });
  }
  return out;
}

export function attributesOf(e: InventoryEvent): KnownAttributes {
  const a = e.attributes ?? {};
  const skuClass = a.skuClass === 'A' || a.skuClass === 'B' || a.skuClass === 'C' ? a.skuClass : undefined;
  return {
    postedToErp: bool(a.postedToErp),
    fromLocation: str(a.fromLocation),
    toLocation: str(a.toLocation),
    requestedQty: num(a.requestedQty),
    shortQty: num(a.shortQty),
    toSite: str(a.toSite),
    eta: isoTime(a.eta),
    fromSite: str(a.fromSite),
    dispositionDueBy: isoTime(a.dispositionDueBy),
    disposition: str(a.disposition),
    expectedAt: isoTime(a.expectedAt),
    lines: lines(a.lines),
    closesLine: bool(a.closesLine),
    closesDocument: bool(a.closesDocument),
    unitCost: num(a.unitCost) !== undefined && num(a.unitCost)! >= 0 ? num(a.unitCost) : undefined,
    skuClass,
  };
}

/**
 * The ids by which an adjustment event may name a correction Reckon posted: the event id (a WMS
 * that emits its adjustment under its own id), `attributes.adjustmentId` and `attributes.idempotencyKey`.
 */
export function correctionIdsOf(e: InventoryEvent): { adjustmentIds: string[]; idempotencyKeys: string[] } {
  if (e.type !== 'adjustment' || !e.sku) return { adjustmentIds: [], idempotencyKeys: [] };
  const a = e.attributes ?? {};
  const adjustmentIds = [e.eventId, str(a.adjustmentId)].filter((v): v is string => v !== undefined);
  const key = str(a.idempotencyKey);
  return { adjustmentIds, idempotencyKeys: key ? [key] : [] };
}

/** `${source}:${eventId}`: the id an event's effects carry everywhere (ledger rows, features). */
export function eventKey(e: Pick<InventoryEvent, 'source' | 'eventId'>): string {
  return `${e.source}:${e.eventId}`;
}

/** The lines an ASN/PO event announces: `attributes.lines`, or the event's own sku and qty. */
export function announcedLines(e: InventoryEvent): { line: string; sku: string; qty: number; location?: string }[] {
  const listed = attributesOf(e).lines;
  if (listed && listed.length > 0) return listed;
  if (e.sku && e.qty !== undefined) return [{ line: e.reference?.line ?? '', sku: e.sku, qty: Math.abs(e.qty), location: e.location }];
  return [];
}

/** The document id an ASN/PO/transfer/return event is about: its reference, else the event id. */
export function documentIdOf(e: InventoryEvent): string {
  return e.reference?.id ?? e.eventId;
}
