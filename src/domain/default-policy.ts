import { PolicyDocument, type PolicyDocumentInput } from './policy';

/**
 * The policy that ships with Reckon (version 1 on a fresh database). Figures follow common
 * cycle-count practice: A items tight, C items loose; value always bounds a tolerance.
 */
export const DEFAULT_POLICY_INPUT: PolicyDocumentInput = {
  name: 'reckon-default',
  description: 'Default tolerances, ladders and auto-resolution rules shipped with Reckon.',
  tolerances: {
    byClass: {
      A: { pct: 1, units: 2, value: 100 },
      B: { pct: 2, units: 5, value: 250 },
      C: { pct: 5, units: 10, value: 500 },
    },
    overrides: [{ process: 'receiving', pct: 0, units: 0 }],
  },
  severity: {
    highFromValue: 2500,
    criticalFromValue: 25000,
    kindFloor: { negative_inventory: 'high', lot_expiry: 'high' },
  },
  autoResolution: {
    rules: [
      { name: 'explained_by_open_allocation', minConfidence: 0.8, maxValue: 10000 },
      { name: 'explained_by_unposted_receipt', minConfidence: 0.8, maxValue: 10000 },
      { name: 'explained_by_transfer_in_transit', minConfidence: 0.8, maxValue: 10000 },
      { name: 'explained_by_return_without_disposition', minConfidence: 0.8, maxValue: 5000 },
      { name: 'explained_by_pending_transactions', minConfidence: 0.8, maxValue: 5000 },
      { name: 'count_within_tolerance', minConfidence: 0.7, maxValue: 500 },
      { name: 'duplicate_event', minConfidence: 0.95, maxValue: 1_000_000 },
    ],
  },
  recounts: {
    automatic: 1,
    timeout: '24h',
    // every kind a count of one place can settle: the bin, the pick face, the receiving dock. Not a
    // transfer in flight (between sites), an unposted return (a disposition, not a quantity), or a
    // drift (already a series of counts)
    kinds: ['count_variance', 'negative_inventory', 'phantom_stock', 'system_mismatch', 'receiving_variance', 'mis_scan', 'shrink_pattern', 'lot_expiry'],
  },
  ladders: {
    info: { rungs: [{ role: 'inventory_control', sla: '3d' }], terminal: { action: 'page_only', role: 'site_supervisor' } },
    review: {
      rungs: [
        { role: 'inventory_control', sla: '8h' },
        { role: 'site_supervisor', sla: '8h' },
      ],
      terminal: { action: 'hold_and_page', role: 'ops_manager' },
    },
    high: {
      rungs: [
        { role: 'site_supervisor', sla: '4h' },
        { role: 'ops_manager', sla: '4h' },
      ],
      terminal: { action: 'hold_and_page', role: 'ops_manager' },
    },
    critical: {
      rungs: [
        { role: 'ops_manager', sla: '1h' },
        { role: 'finance', sla: '4h' },
      ],
      terminal: { action: 'hold_and_page', role: 'finance' },
    },
  },
  routes: [
    {
      // a pattern of loss (one user, one shift, one bin, a slow drift) is an investigation, not a miscount
      kinds: ['shrink_pattern', 'mis_scan', 'drift'],
      ladder: {
        rungs: [
          { role: 'loss_prevention', sla: '8h' },
          { role: 'ops_manager', sla: '8h' },
        ],
        terminal: { action: 'page_only', role: 'ops_manager', then: 'stay_open' },
      },
      why: 'patterns of loss go to loss prevention',
    },
  ],
  approval: {
    limits: { inventory_control: 1000, site_supervisor: 10000, loss_prevention: 10000, ops_manager: 100000, finance: 10_000_000 },
    fourEyesAbove: 5000,
  },
  segregationOfDuties: true,
  autoAdjustReasonCode: 'CYCLE_COUNT',
  watchers: { transferGrace: '4h', returnDispositionWithin: '48h', receivingDueAfter: '24h', mismatchSettleAfter: '30m' },
};

export const DEFAULT_POLICY: PolicyDocument = PolicyDocument.parse(DEFAULT_POLICY_INPUT);
