/** Evidence gathered for a case. Every piece may be missing; `missing` names what could not be had. */
export interface BalanceEvidence {
  qty: number;
  heldQty: number;
}
export interface AllocationEvidence {
  id: string;
  orderId: string;
  qty: number;
  /** picked physically (WMS decremented) but not yet issued in the ERP */
  pickedQty: number;
  issuedInErp: boolean;
}
export interface InboundEvidence {
  docKind: 'asn' | 'po' | 'receipt';
  id: string;
  line?: string;
  expectedQty: number;
  receivedQty: number;
  /** received in the WMS but not yet posted to the ERP */
  postedToErp: boolean;
  receivedAt?: string;
}
export interface TransferEvidence {
  id: string;
  fromSite: string;
  toSite: string;
  qty: number;
  shippedAt: string;
  eta: string;
  /** outbound: shipped from this site; inbound: arriving at it */
  direction: 'outbound' | 'inbound';
  /** received in the WMS at the destination but not yet in the ERP */
  receivedInWms: boolean;
}
export interface ReturnEvidence {
  id: string;
  qty: number;
  receivedAt: string;
  /** the WMS counts it on hand, the ERP does not until dispositioned */
  dispositioned: boolean;
}
export interface TransactionEvidence {
  id: string;
  type: string;
  qty: number;
  userId?: string;
  occurredAt: string;
  postedToErp: boolean;
}
export interface AdjustmentEvidence {
  id: string;
  qty: number;
  userId?: string;
  reasonCode: string;
  occurredAt: string;
}
export interface CountEvidence {
  taskId?: string;
  countedQty: number;
  countedBy?: string;
  countedAt: string;
}
export interface PriorCaseEvidence {
  caseId: string;
  status: string;
  resolution?: string;
  /** source event ids that this report shares with the prior case */
  sharedEventIds: string[];
}

export interface Evidence {
  wmsBalance?: BalanceEvidence | null;
  erpOnHand?: { qty: number } | null;
  openAllocations?: AllocationEvidence[];
  inbound?: InboundEvidence[];
  transfersInTransit?: TransferEvidence[];
  returnsPending?: ReturnEvidence[];
  recentTransactions?: TransactionEvidence[];
  recentAdjustments?: AdjustmentEvidence[];
  countHistory?: CountEvidence[];
  priorCases?: PriorCaseEvidence[];
  /** names of evidence sources that failed or timed out */
  missing: string[];
  /** late evidence that arrived by signal, free-form */
  notes?: { from: string; text: string; at: string }[];
}

export const EVIDENCE_SOURCES = [
  'wmsBalance',
  'erpOnHand',
  'openAllocations',
  'inbound',
  'transfersInTransit',
  'returnsPending',
  'recentTransactions',
  'recentAdjustments',
  'countHistory',
  'priorCases',
] as const;
export type EvidenceSource = (typeof EVIDENCE_SOURCES)[number];

/** A case's evidence from what its sources answered in one read, none missing: what it is scored on. */
export function evidenceOf(found: Partial<Evidence>): Evidence {
  return { missing: [], ...found };
}

/** Stable digest input: evidence keys sorted, so equal evidence gives an equal digest. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
