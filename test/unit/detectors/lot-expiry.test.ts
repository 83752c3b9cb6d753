import { DiscrepancyReport } from '../../../src/domain';
import { lotExpiry } from '../../../src/ingest/detectors/lot-expiry';
import { event, features } from './support';

// NOW is 2026-11-22
describe('lot_expiry', () => {
  const pick = (lot: string, expiresOn?: string) => event({ type: 'pick', sku: 'S1', location: 'H-01', qty: 5, lot, expiresOn, actor: { userId: 'p3' } });
  const onHand = (lot: string, expiresOn: string, qty = 10, location = 'H-02') => ({ lot, location, expiresOn, qty });

  it('reports a pick of an expired lot', () => {
    const [r] = lotExpiry.onEvent(pick('L1', '2026-11-01'), features());
    expect(DiscrepancyReport.parse(r)).toMatchObject({ kind: 'lot_expiry', reference: { kind: 'other', id: 'lot:L1' }, expectedQty: 0, observedQty: 5 });
    expect(r.note).toMatch(/expired on 2026-11-01 and was picked/);
  });

  it('knows a lot’s expiry from earlier events when the pick does not carry it', () => {
    expect(lotExpiry.onEvent(pick('L1'), features({ lotExpiresOn: '2026-10-01' }))).toHaveLength(1);
  });

  it('reports expired stock put away (made available)', () => {
    const e = event({ type: 'putaway', sku: 'S1', location: 'H-01', qty: 5, lot: 'L1', expiresOn: '2026-11-21', attributes: { fromLocation: 'DOCK' } });
    expect(lotExpiry.onEvent(e, features())).toHaveLength(1);
  });

  it('reports a FEFO violation: a later lot picked while an earlier one is on hand', () => {
    const [r] = lotExpiry.onEvent(pick('L2', '2027-06-01'), features({ lots: [onHand('L1', '2027-01-01'), onHand('L2', '2027-06-01')] }));
    expect(r.note).toMatch(/FEFO: picked lot L2 \(expires 2027-06-01\) while lot L1 \(expires 2027-01-01\) is on hand at H-02/);
  });

  it.each([
    ['the earliest lot', pick('L1', '2027-01-01'), [onHand('L1', '2027-01-01'), onHand('L2', '2027-06-01')]],
    ['a later lot when the earlier one is gone', pick('L2', '2027-06-01'), [onHand('L1', '2027-01-01', 0)]],
    ['a later lot when the earlier one has expired (it must not be picked either)', pick('L2', '2027-06-01'), [onHand('L1', '2026-11-01')]],
    ['a lot of unknown expiry', pick('L3'), [onHand('L1', '2027-01-01')]],
    ['a lot expiring today', pick('L1', '2026-11-22'), []],
  ])('stays quiet for %s', (_label, e, lots) => {
    expect(lotExpiry.onEvent(e, features({ lots }))).toEqual([]);
  });
});
