import { locationRisk, rankLocations, stalenessOf, type LocationFeatures } from '../../src/domain/count-risk';

const bin = (location: string, f: Partial<LocationFeatures> = {}): LocationFeatures => ({
  location,
  skus: ['SKU-1'],
  errorCases: 0,
  velocityPerDay: 0,
  stockValue: 0,
  daysSinceCount: null,
  openCountTask: false,
  ...f,
});

describe('stalenessOf', () => {
  it.each<[number | null, number]>([
    [0, 0],
    [30, 0.5],
    [90, 0.75],
    [null, 365 / 395],
    [-5, 0],
  ])('%s days since the last count → %d', (days, staleness) => {
    expect(stalenessOf(days)).toBeCloseTo(staleness, 10);
  });
});

describe('locationRisk', () => {
  // (1 + 2·errors) × (1 + log10(1 + velocity)) × (1 + log10(1 + value)) × staleness
  it.each<[string, Partial<LocationFeatures>, number]>([
    ['a quiet bin counted 30 days ago', { daysSinceCount: 30 }, 0.5],
    ['one error doubles and a half', { daysSinceCount: 30, errorCases: 1 }, 1.5],
    ['9 units a day doubles', { daysSinceCount: 30, velocityPerDay: 9 }, 1],
    ['99 of stock at cost triples', { daysSinceCount: 30, stockValue: 99 }, 1.5],
    ['all together', { daysSinceCount: 30, errorCases: 2, velocityPerDay: 9, stockValue: 999 }, 20],
    ['counted today: nothing to gain', { daysSinceCount: 0, errorCases: 5, velocityPerDay: 99, stockValue: 1e6 }, 0],
  ])('%s → %d', (_name, f, risk) => {
    expect(locationRisk(bin('X', f))).toBeCloseTo(risk, 4);
  });
});

describe('rankLocations', () => {
  const fixture: LocationFeatures[] = [
    bin('A-01', { errorCases: 3, velocityPerDay: 5, stockValue: 2000, daysSinceCount: 60 }),
    bin('A-02', { velocityPerDay: 40, stockValue: 10_000, daysSinceCount: 10 }),
    bin('B-01', { errorCases: 1, stockValue: 50, daysSinceCount: null }),
    bin('B-02', { errorCases: 1, stockValue: 50, daysSinceCount: null }),
    bin('C-01', { errorCases: 9, velocityPerDay: 100, stockValue: 1e5, daysSinceCount: 200, openCountTask: true }),
    bin('C-02', { skus: [], errorCases: 9, daysSinceCount: null }),
    bin('D-01', { daysSinceCount: 2 }),
    bin('D-02', { errorCases: 4, daysSinceCount: 0.5 }),
  ];

  it('orders bins by risk, highest first, ties by location name, with ranks from 1', () => {
    const ranked = rankLocations(fixture, 10);
    expect(ranked.map((r) => r.location)).toEqual(['A-01', 'B-01', 'B-02', 'A-02', 'D-01']);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i].risk).toBeLessThanOrEqual(ranked[i - 1].risk);
  });

  it('takes only the top N', () => {
    expect(rankLocations(fixture, 2).map((r) => r.location)).toEqual(['A-01', 'B-01']);
    expect(rankLocations(fixture, 0)).toEqual([]);
  });

  it('leaves out bins with an open count task, bins counted within the last day and bins that hold nothing', () => {
    const names = rankLocations(fixture, 100).map((r) => r.location);
    expect(names).not.toContain('D-02');
    expect(names).not.toContain('C-01');
    expect(names).not.toContain('C-02');
  });

  it('says why a bin is on the list', () => {
    const [top] = rankLocations(fixture, 1);
    expect(top.reasons).toEqual(['3 discrepancies in 90 days', 'moves 5 units a day', '2,000 of stock at cost', 'last counted 60 days ago']);
    expect(rankLocations([bin('Z', { errorCases: 1 })], 1)[0].reasons).toEqual(['1 discrepancy in 90 days', 'never counted']);
  });

  it('is the same whatever order the features come in', () => {
    expect(rankLocations([...fixture].reverse(), 10)).toEqual(rankLocations(fixture, 10));
  });
});
