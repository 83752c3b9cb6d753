import { DiscrepancyReport } from '../../../src/domain';
import { systemMismatch } from '../../../src/ingest/detectors/system-mismatch';
import { event, features, stock } from './support';

describe('system_mismatch', () => {
  it('settles rather than reports at once', () => {
    expect(systemMismatch.settles).toBe(true);
  });

  it('finds a receipt the ERP has not posted, beyond tolerance (expected: ERP, observed: WMS)', () => {
    const e = event({ type: 'receipt', sku: 'S1', location: 'D-01', qty: 80 });
    const [r] = systemMismatch.onEvent(e, features({ stock: { 'D-01': stock(20, 20) } }));
    expect(DiscrepancyReport.parse(r)).toMatchObject({ kind: 'system_mismatch', location: 'D-01', expectedQty: 20, observedQty: 100 });
  });

  it('finds an ERP-only posting that leaves the ERP above the WMS', () => {
    const e = event({ type: 'adjustment', source: 'erp', sku: 'S1', location: 'D-01', qty: 60 });
    expect(systemMismatch.onEvent(e, features({ stock: { 'D-01': stock(10, 10) } }))).toEqual([expect.objectContaining({ expectedQty: 70, observedQty: 10 })]);
  });

  it.each([
    ['a posted receipt (both views move)', event({ type: 'receipt', sku: 'S1', location: 'D-01', qty: 80, attributes: { postedToErp: true } }), stock(20, 20)],
    ['an ERP posting that brings the views together', event({ type: 'receipt', source: 'erp', sku: 'S1', location: 'D-01', qty: 80 }), stock(100, 20)],
    ['an unposted receipt inside tolerance', event({ type: 'receipt', sku: 'S1', location: 'D-01', qty: 3 }), stock(100, 100)],
    ['a move (both views follow the stock)', event({ type: 'move', sku: 'S1', location: 'D-01', qty: 5, attributes: { toLocation: 'D-02' } }), stock(100, 40)],
  ])('stays quiet for %s', (_label, e, s) => {
    expect(systemMismatch.onEvent(e, features({ stock: { 'D-01': s, 'D-02': stock(0) } }))).toEqual([]);
  });
});
