import { DiscrepancyReport } from '../../../src/domain';
import { countVariance } from '../../../src/ingest/detectors/count-variance';
import { event, features, stock } from './support';

// C items: within 10 units or 5 %, and at most 500 in value
describe('count_variance', () => {
  const count = (qty: number) => event({ type: 'count', sku: 'S1', location: 'A-01', qty, actor: { userId: 'c1' } });

  it('reports a count beyond tolerance against the system quantity, with the counter as party to it', () => {
    const [r] = countVariance.onEvent(count(70), features({ stock: { 'A-01': stock(100) } }));
    expect(DiscrepancyReport.parse(r)).toMatchObject({
      kind: 'count_variance', site: 'DC1', sku: 'S1', location: 'A-01', expectedQty: 100, observedQty: 70,
      process: 'counting', sourceEventIds: ['E-1'], causedBy: ['c1'], unitCost: 10, skuClass: 'C',
    });
  });

  it('reports stock counted in a bin the system has never booked', () => {
    expect(countVariance.onEvent(count(40), features())).toEqual([expect.objectContaining({ expectedQty: 0, observedQty: 40 })]);
  });

  it.each([
    ['inside tolerance by units', 92],
    ['exactly matching', 100],
  ])('stays quiet %s', (_label, qty) => {
    expect(countVariance.onEvent(count(qty), features({ stock: { 'A-01': stock(100) } }))).toEqual([]);
  });

  it('uses the policy: a zone override with zero tolerance makes a small variance a case', () => {
    const f = features({ stock: { 'A-01': stock(100) } });
    f.policy = { ...f.policy, tolerances: { ...f.policy.tolerances, overrides: [{ zone: 'A', units: 0, pct: 0 }] } };
    expect(countVariance.onEvent(count(99), f)).toHaveLength(1);
  });

  it('leaves negative system balances and other event types alone', () => {
    expect(countVariance.onEvent(count(5), features({ stock: { 'A-01': stock(-3) } }))).toEqual([]);
    expect(countVariance.onEvent(event({ type: 'pick', sku: 'S1', location: 'A-01', qty: 70 }), features({ stock: { 'A-01': stock(100) } }))).toEqual([]);
  });
});
