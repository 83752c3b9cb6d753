/**
 * The reason codes the inbox offers only when a pinned policy has no catalogue (the case page
 * lists the policy's `reasonCodes` for the case's kind otherwise).
 */
export const APPROVE_REASONS: { code: string; label: string }[] = [
  { code: 'COUNT_CONFIRMED', label: 'Count confirmed: book the difference' },
  { code: 'DAMAGED', label: 'Damaged or scrapped stock' },
  { code: 'EXPIRED', label: 'Expired stock' },
  { code: 'VENDOR_SHORT', label: 'Vendor shipped short' },
  { code: 'THEFT', label: 'Theft or shrink' },
  { code: 'MIS_SLOT', label: 'Put away or picked in the wrong bin' },
  { code: 'UNPOSTED', label: 'A document was never posted' },
  { code: 'SYNC_LAG', label: 'WMS and ERP out of sync' },
];

export const REJECT_REASONS: { code: string; label: string }[] = [
  { code: 'MISCOUNT', label: 'The count was wrong: no change' },
  { code: 'DUPLICATE', label: 'Duplicate report' },
  { code: 'TIMING', label: 'Timing: it settles by itself' },
  { code: 'OPEN_ALLOCATION', label: 'Explained by an open allocation' },
  { code: 'IN_TRANSIT', label: 'Explained by stock in transit' },
  { code: 'NOT_AN_ISSUE', label: 'Not a discrepancy' },
];

/** needs_attention: how the matter was settled outside Reckon. */
export const MANUAL_REASONS: { code: string; label: string }[] = [
  { code: 'POSTED_IN_ERP', label: 'Posted by hand in the ERP' },
  { code: 'POSTED_IN_WMS', label: 'Posted by hand in the WMS' },
  { code: 'NO_CHANGE_NEEDED', label: 'No change needed after all' },
];
