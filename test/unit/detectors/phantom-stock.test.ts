import { DiscrepancyReport } from '../../../src/domain';
import { phantomStock } from '../../../src/ingest/detectors/phantom-stock';
import { event, features, stock } from './support';

describe('phantom_stock', () => {
  const pick = (qty: number, attributes: Record<string, unknown>) => event({ type: 'pick', sku: 'S1', location: 'C-03', qty, actor: { userId: 'p2' }, attributes });

  it('reports a short pick where the system says the bin holds what was asked', () => {
    const [r] = phantomStock.onEvent(pick(2, { shortQty: 4 }), features({ stock: { 'C-03': stock(30) } }));
    expect(DiscrepancyReport.parse(r)).toMatchObject({ kind: 'phantom_stock', location: 'C-03', expectedQty: 30, observedQty: 2, causedBy: ['p2'], process: 'picking' });
  });

  it('reads the shortfall from a requested quantity too', () => {
    expect(phantomStock.onEvent(pick(3, { requestedQty: 10 }), features({ stock: { 'C-03': stock(10) } }))).toHaveLength(1);
  });

  it.each([
    ['a full pick', pick(6, {}), 30],
    ['a short pick the system explains (it holds less than asked)', pick(2, { shortQty: 4 }), 5],
    ['a zero shortfall', pick(6, { shortQty: 0 }), 30],
  ])('stays quiet for %s', (_label, e, held) => {
    expect(phantomStock.onEvent(e, features({ stock: { 'C-03': stock(held) } }))).toEqual([]);
  });
});
