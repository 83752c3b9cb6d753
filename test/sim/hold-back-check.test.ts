import type { CaseDetail, CaseSummary } from '../../src/sim/client';
import { adjustmentsAgainstEvidence } from '../../src/sim/hold-back-check';

/** The scorecard's own check of the hold-back: automatic adjustments at a bin with recent evidence of something bigger. */
const T = Date.UTC(2026, 10, 20, 10);
const at = (h: number) => new Date(T + h * 3_600_000).toISOString();
function c(id: string, kind: string, location: string | null, opened: number, closed: number | null, extra: Partial<CaseDetail> = {}): CaseDetail {
  return {
    id, kind, site: 'DC1', sku: 'SKU-1', location, reference: null, status: closed === null ? 'awaiting_approval' : 'closed', resolution: closed === null ? null : 'approved',
    expectedQty: 10, observedQty: 9, confidence: null, scorerVersion: null, sourceEventIds: [], explanation: null,
    detectedAt: at(opened), openedAt: at(opened), closedAt: closed === null ? null : at(closed), ...extra,
  };
}
const auto = (id: string, opened: number, location = 'A-01-01') =>
  c(id, 'count_variance', location, opened, opened + 0.1, { resolution: 'auto_resolved', decision: { action: 'auto_resolve', correction: 'adjust', adjustQty: -1 } });

it('flags an adjustment made while another case at the bin was open, or after a pattern case there', () => {
  const adjusted = auto('X', 10);
  const open: CaseSummary = c('O', 'phantom_stock', 'A-01-01', 5, null);
  expect(adjustmentsAgainstEvidence([adjusted], [adjusted, open])).toEqual([{ id: 'X', kind: 'count_variance', why: 'adjusted by -1 while the bin had phantom_stock O' }]);
  const pattern = c('P', 'mis_scan', 'A-01-01', -48, -40);
  expect(adjustmentsAgainstEvidence([adjusted], [adjusted, pattern]).map((b) => b.id)).toEqual(['X']);
});

it('leaves alone an adjustment at a quiet bin: cases elsewhere, closed before it, older than 14 days, or opened after the decision', () => {
  const adjusted = auto('X', 400);
  const others = [
    c('E', 'phantom_stock', 'B-02-02', 399, null),
    c('C', 'count_variance', 'A-01-01', 300, 310),
    c('M', 'mis_scan', 'A-01-01', 400 - 15 * 24, 400 - 15 * 24 + 1),
    c('L', 'phantom_stock', 'A-01-01', 401, null),
    c('R', 'shrink_pattern', 'A-01-01', 390, 391, { resolution: 'rejected_no_change' }),
  ];
  expect(adjustmentsAgainstEvidence([adjusted], [adjusted, ...others])).toEqual([]);
  // a resync or a suppression is not an adjustment
  const resync = { ...adjusted, decision: { action: 'auto_resolve', correction: 'resync' } };
  expect(adjustmentsAgainstEvidence([resync], [resync, c('O', 'phantom_stock', 'A-01-01', 399, null)])).toEqual([]);
});
