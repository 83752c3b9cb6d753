import { Refusal } from './authority';

/**
 * The reason-code catalogue (docs/policy.md): which codes a person may give for which decision on
 * which kind of case. Pure data and functions (no zod): the workflow's validators use them with
 * the case's pinned policy, the API with the same version for an early 400.
 */
export const REASON_DECISIONS = ['approve', 'reject', 'resolve_manually'] as const;
export type ReasonDecision = (typeof REASON_DECISIONS)[number];

export interface ReasonCodeEntry {
  code: string;
  description: string;
  /** a decision with this code is refused without a comment */
  needsComment?: boolean;
  /** the decisions the code may be given for; absent: approve and reject */
  decisions?: readonly ReasonDecision[];
  /** the kinds of case it applies to; absent: every kind */
  kinds?: readonly string[];
}

const ALL_DECISIONS: readonly ReasonDecision[] = ['approve', 'reject', 'resolve_manually'];
const MOVES: readonly string[] = ['receiving_variance', 'count_variance', 'negative_inventory', 'phantom_stock', 'mis_scan', 'shrink_pattern', 'drift', 'lot_expiry', 'return_unposted'];

/**
 * The default catalogue, from the exception taxonomy the simulator's seeds inject (short cartons,
 * mis-slots, unposted returns, pilfering, late transfers, duplicate deliveries, mis-scans, sync
 * lag, expired lots). Codes naming a cause are the ones scorer v2 learns from.
 */
export const DEFAULT_REASON_CODES: readonly ReasonCodeEntry[] = [
  { code: 'COUNT_CONFIRMED', description: 'Count confirmed: book the difference', decisions: ['approve'] },
  { code: 'CYCLE_COUNT', description: 'Cycle-count correction (the code automatic adjustments post with)', decisions: ['approve'] },
  { code: 'SHORT_SHIP', description: 'Vendor shipped short', decisions: ['approve'] },
  { code: 'VENDOR_SHORT', description: 'Vendor shipped short (claim with the vendor)', decisions: ['approve'] },
  { code: 'DUPLICATE_RECEIPT', description: 'A receipt was booked twice', decisions: ['approve'] },
  { code: 'DAMAGED', description: 'Damaged or scrapped stock', decisions: ['approve'], kinds: MOVES },
  { code: 'EXPIRED', description: 'Expired stock written off', decisions: ['approve'] },
  { code: 'THEFT', description: 'Theft or shrink', decisions: ['approve'] },
  { code: 'MIS_SLOT', description: 'Put away or picked in the wrong bin', decisions: ['approve'] },
  { code: 'MIS_SCAN', description: 'Mis-scan at receipt, pick or count', decisions: ['approve'] },
  { code: 'UNPOSTED', description: 'A document was never posted', decisions: ['approve'] },
  { code: 'SYNC_LAG', description: 'WMS and ERP out of sync', decisions: ['approve'] },
  { code: 'IN_TRANSIT', description: 'Stock in transit on a transfer', decisions: ['approve', 'reject'] },
  { code: 'LOST_IN_TRANSIT', description: 'Lost in transit: carrier claim', needsComment: true, decisions: ['approve'], kinds: ['transfer_delay'] },
  { code: 'WRITE_OFF', description: 'Written off', decisions: ['approve'] },
  { code: 'MISCOUNT', description: 'The count was wrong: no change', decisions: ['reject'] },
  { code: 'DUPLICATE', description: 'Duplicate report', decisions: ['reject'] },
  { code: 'TIMING', description: 'Timing: it settles by itself', decisions: ['reject'] },
  { code: 'OPEN_ALLOCATION', description: 'Explained by an open allocation', decisions: ['reject'] },
  { code: 'NOT_AN_ISSUE', description: 'Not a discrepancy', decisions: ['reject'] },
  { code: 'FALSE_ALARM', description: 'False alarm: nothing explains it and the books are right', decisions: ['reject'] },
  { code: 'VENDOR_CLAIM', description: 'Claim filed with the vendor: no stock change', needsComment: true, decisions: ['reject'], kinds: ['receiving_variance', 'count_variance'] },
  { code: 'POSTED_IN_ERP', description: 'Posted by hand in the ERP', decisions: ['resolve_manually'] },
  { code: 'POSTED_IN_WMS', description: 'Posted by hand in the WMS', decisions: ['resolve_manually'] },
  { code: 'HOLD_CLEARED', description: 'The hold was cleared by hand in the WMS', decisions: ['resolve_manually'] },
  { code: 'NO_CHANGE_NEEDED', description: 'No change needed after all', decisions: ['resolve_manually'] },
  { code: 'OTHER', description: 'Other: say what in the comment', needsComment: true, decisions: ALL_DECISIONS },
];

/** The policy's part the catalogue functions read (an older pinned policy has no catalogue). */
export interface WithReasonCodes {
  reasonCodes?: readonly ReasonCodeEntry[];
}

/** The codes offered for a decision on a case of this kind; undefined: the policy has no catalogue (any code). */
export function reasonCodesFor(policy: WithReasonCodes, kind: string, decision: ReasonDecision): ReasonCodeEntry[] | undefined {
  if (!policy.reasonCodes) return undefined;
  return policy.reasonCodes.filter((r) => (r.decisions ?? ['approve', 'reject']).includes(decision) && (!r.kinds || r.kinds.includes(kind)));
}

/** Why a decision's reason code (and comment) is refused under the policy, or null when it is allowed. */
export function reasonCodeRefusal(policy: WithReasonCodes, kind: string, decision: ReasonDecision, reasonCode: string | undefined, comment: string | undefined): Refusal | null {
  const allowed = reasonCodesFor(policy, kind, decision);
  if (!allowed) return null;
  const entry = allowed.find((r) => r.code === reasonCode);
  if (!entry) {
    return new Refusal('refused', 'reason_code', `reason code ${reasonCode ?? '(none)'} is not in the catalogue for ${decision.replace('_', ' ')} on ${kind}; allowed: ${allowed.map((r) => r.code).join(', ')}`);
  }
  if (entry.needsComment && !comment?.trim()) {
    return new Refusal('refused', 'reason_comment', `reason code ${entry.code} (${entry.description}) needs a comment`);
  }
  return null;
}
