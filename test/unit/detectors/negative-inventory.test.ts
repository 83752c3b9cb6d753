import { DiscrepancyReport } from '../../../src/domain';
import { negativeInventory } from '../../../src/ingest/detectors/negative-inventory';
import { event, features, stock } from './support';

describe('negative_inventory', () => {
  it('reports a pick that takes the bin below zero', () => {
    const [r] = negativeInventory.onEvent(event({ type: 'pick', sku: 'S1', location: 'B-02', qty: 8, actor: { userId: 'p1' } }), features({ stock: { 'B-02': stock(5) } }));
    expect(DiscrepancyReport.parse(r)).toMatchObject({ kind: 'negative_inventory', location: 'B-02', expectedQty: 0, observedQty: -3, causedBy: ['p1'] });
  });

  it('reports the source bin of a move that empties it past zero', () => {
    const moved = event({ type: 'move', sku: 'S1', location: 'B-02', qty: 4, attributes: { toLocation: 'C-01' } });
    expect(negativeInventory.onEvent(moved, features({ stock: { 'B-02': stock(1), 'C-01': stock(0) } }))).toEqual([
      expect.objectContaining({ location: 'B-02', observedQty: -3 }),
    ]);
  });

  it('reports a negative adjustment below zero', () => {
    expect(negativeInventory.onEvent(event({ type: 'adjustment', sku: 'S1', location: 'B-02', qty: -2 }), features())).toHaveLength(1);
  });

  it.each([
    ['a pick that leaves exactly zero', event({ type: 'pick', sku: 'S1', location: 'B-02', qty: 5 })],
    ['a receipt', event({ type: 'receipt', sku: 'S1', location: 'B-02', qty: 5 })],
    ['a count', event({ type: 'count', sku: 'S1', location: 'B-02', qty: 0 })],
  ])('stays quiet for %s', (_label, e) => {
    expect(negativeInventory.onEvent(e, features({ stock: { 'B-02': stock(5) } }))).toEqual([]);
  });
});
