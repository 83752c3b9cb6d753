import { roundOrder } from '../../bench/throughput';
import { median, pairedRatios } from '../../bench/stats';

describe('the throughput bench rounds', () => {
  it('turns the order of the sides each round, so each side runs first, second and last alike', () => {
    const orders = [0, 1, 2, 3, 4, 5].map(roundOrder);
    for (const order of orders) expect([...order].sort()).toEqual(['bare', 'minimal', 'reckon']);
    for (const side of ['bare', 'minimal', 'reckon'] as const) {
      const places = orders.map((o) => o.indexOf(side));
      expect(places.filter((p) => p === 2)).toHaveLength(2);
      expect(places.filter((p) => p === 0)).toHaveLength(2);
    }
  });

  it('pairs each round of Reckon with the minimal workflow of the same round and takes the median', () => {
    const paired = pairedRatios([40, 30, 36, 38], [50, 50, 40, 40]);
    expect(paired.byRound).toEqual([0.8, 0.6, 0.9, 0.95]);
    expect(paired.median).toBe(0.85);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNaN();
  });
});
