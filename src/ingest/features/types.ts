import type { PolicyDocument, SkuClass } from '../../domain';

/** One balance as the system of record sees it, before the event. */
export interface StockView {
  wms: number;
  erp: number;
  /** the balance exists at all (a bin/sku pair the system has booked before) */
  known: boolean;
}

export interface LastScan {
  /** `user:<id>` or `device:<id>` */
  scanner: string;
  location: string;
  zone?: string;
  at: string;
  eventId: string;
}

export interface InboundLine {
  line: string;
  sku?: string;
  location?: string;
  expectedQty: number;
  receivedQty: number;
  /** the ASN/PO itself was seen (receipts alone do not say what was expected) */
  announced: boolean;
  closed: boolean;
  /** the line's sku's master data, when the location master knows it */
  item?: { unitCost: number; skuClass: SkuClass };
}

export interface LotOnHand {
  lot: string;
  location: string;
  expiresOn?: string;
  qty: number;
}

export type ShrinkDimension = 'user' | 'shift' | 'location';

/** One entity's unexplained losses in the window, and its peers' (same site and dimension). */
export interface ShrinkWindow {
  dimension: ShrinkDimension;
  key: string;
  /** before this event */
  lossUnits: number;
  lossCount: number;
  /** other active entities' loss units in the window (zeros included) */
  peers: number[];
  windowDays: number;
}

/**
 * What the detectors know when an event arrives: a snapshot taken in the intake's transaction,
 * BEFORE the event is applied. Each part is loaded only for the event types that need it, by
 * key lookups on incrementally kept tables — never a scan of the event history.
 */
export interface Features {
  policy: PolicyDocument;
  /** when Reckon received the event */
  receivedAt: string;
  item: { unitCost: number; skuClass: SkuClass };
  /** zone of each location involved (from the location master, else the location's first segment) */
  zones: Record<string, string | undefined>;
  /** balances by location ('' = site level) for every bin the event touches */
  stock: Record<string, StockView>;
  /** whether stock was ever put into the event's bin for its sku (loaded for picks) */
  binStocked?: boolean;
  /** the previous scans of the event's user and device */
  lastScans: LastScan[];
  /** the ASN/PO a receipt names */
  inbound?: { kind: 'asn' | 'po'; id: string; lines: InboundLine[] };
  /** lots of the sku on hand at the site, earliest expiry first (loaded for lot-bearing events) */
  lots?: LotOnHand[];
  /** expiry of the event's lot as known from earlier events, when the event does not carry it */
  lotExpiresOn?: string;
  /** loaded for unexplained negative adjustments */
  shrink?: ShrinkWindow[];
  /** loaded for counts: the bin's earlier count results in the drift window, oldest first (corrected: it was beyond tolerance) */
  countSeries?: { at: string; systemQty: number; countedQty: number; corrected?: boolean }[];
}
