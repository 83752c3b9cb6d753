import { bandOf, triagePriority, type TriageBand, type TriageInput } from '../../src/domain/triage';

const input = (i: Partial<TriageInput>): TriageInput => ({ valueAtRisk: 0, velocityPerDay: 0, openOrders: 0, reservedQty: 0, ...i });

describe('triagePriority', () => {
  // value × (1 + velocity) × (1 + orders) → 10·log10(1 + product): one band per decade
  it.each<[string, Partial<TriageInput>, number, TriageBand]>([
    ['nothing at risk', { velocityPerDay: 500, openOrders: 40 }, 0, 'P4'],
    ['$99 on stock that does not move', { valueAtRisk: 99 }, 20, 'P4'],
    ['$999 on stock that does not move', { valueAtRisk: 999 }, 30, 'P3'],
    ['$999 on a SKU moving 9 a day', { valueAtRisk: 999, velocityPerDay: 9 }, 40, 'P2'],
    ['$999, 9 a day, 9 customers waiting', { valueAtRisk: 999, velocityPerDay: 9, openOrders: 9 }, 50, 'P1'],
    ['$99, 99 a day, 9 customers waiting', { valueAtRisk: 99, velocityPerDay: 99, openOrders: 9 }, 50, 'P1'],
    ['$9 and 9 customers waiting: 10·log10(91)', { valueAtRisk: 9, openOrders: 9 }, 19.6, 'P4'],
    ['a huge product is capped at 100', { valueAtRisk: 1e9, velocityPerDay: 1e4, openOrders: 1e4 }, 100, 'P1'],
  ])('%s → %d, %s', (_name, i, score, band) => {
    const t = triagePriority(input(i));
    expect(t.score).toBe(score);
    expect(t.band).toBe(band);
    expect(t.version).toBe('triage-v1');
  });

  it.each<[string, Partial<TriageInput>]>([
    ['negative value', { valueAtRisk: -500 }],
    ['NaN velocity', { valueAtRisk: 0, velocityPerDay: Number.NaN }],
    ['infinite orders', { valueAtRisk: 0, openOrders: Number.POSITIVE_INFINITY }],
  ])('treats a nonsensical input (%s) as zero rather than failing', (_name, i) => {
    const t = triagePriority(input(i));
    expect(t.score).toBe(0);
    expect(t.band).toBe('P4');
  });

  it('ranks by each factor: more value, faster SKU or more waiting customers never lowers the score', () => {
    const base = triagePriority(input({ valueAtRisk: 250, velocityPerDay: 3, openOrders: 2 })).score;
    expect(triagePriority(input({ valueAtRisk: 260, velocityPerDay: 3, openOrders: 2 })).score).toBeGreaterThan(base);
    expect(triagePriority(input({ valueAtRisk: 250, velocityPerDay: 4, openOrders: 2 })).score).toBeGreaterThan(base);
    expect(triagePriority(input({ valueAtRisk: 250, velocityPerDay: 3, openOrders: 3 })).score).toBeGreaterThan(base);
  });

  it('explains the band in plain words with the factors it came from', () => {
    // 1234.5 × 13.25 × 2 ≈ 32714 → 45.1
    const t = triagePriority(input({ valueAtRisk: 1234.5, velocityPerDay: 12.25, openOrders: 1, reservedQty: 6 }));
    expect(t.explanation).toBe('P2: 1,234.50 at risk, the SKU moves 12.3 units a day, 1 open order waiting for 6 units');
    expect(triagePriority(input({ valueAtRisk: 10 })).explanation).toContain('no open orders');
  });
});

describe('bandOf', () => {
  it.each<[number, TriageBand]>([
    [100, 'P1'],
    [50, 'P1'],
    [49.9, 'P2'],
    [40, 'P2'],
    [39.9, 'P3'],
    [30, 'P3'],
    [29.9, 'P4'],
    [0, 'P4'],
  ])('%d → %s', (score, band) => {
    expect(bandOf(score)).toBe(band);
  });
});

describe('stock at risk', () => {
  // $999 on a sku moving 9 a day: 40, P2
  const base = { valueAtRisk: 999, velocityPerDay: 9 };
  const levels = { reorderPoint: 63, safetyStock: 27, source: 'erp' as const };

  it('a loss that takes available stock below the reorder point raises the case one band, and says so', () => {
    const t = triagePriority(input({ ...base, availability: { ...levels, availableBefore: 70, correction: -10 } }));
    expect(t).toMatchObject({ score: 50, band: 'P1', availability: { availableAfter: 60, crossesReorderPoint: true, belowSafetyStock: false, raise: 10 } });
    expect(t.explanation).toBe(
      'P1: 999.00 at risk, the SKU moves 9 units a day, no open orders; the correction takes available stock from 70 to 60, below the reorder point (reorder point 63, safety stock 27 (from the ERP)): replenishment on the books is wrong, raised 1 band',
    );
  });

  it('two bands when it also breaks safety stock; none when the books were below the reorder point already', () => {
    expect(triagePriority(input({ ...base, availability: { ...levels, availableBefore: 70, correction: -50 } }))).toMatchObject({ score: 60, band: 'P1', availability: { raise: 20, belowSafetyStock: true } });
    const already = triagePriority(input({ ...base, availability: { ...levels, availableBefore: 50, correction: -5 } }));
    expect(already).toMatchObject({ score: 40, band: 'P2', availability: { crossesReorderPoint: false, raise: 0 } });
    expect(already.explanation).toBe('P2: 999.00 at risk, the SKU moves 9 units a day, no open orders');
  });

  it('a gain across the reorder point raises nothing but says the books would replenish stock that is there', () => {
    const t = triagePriority(input({ ...base, availability: { ...levels, source: 'policy', availableBefore: 60, correction: 10 } }));
    expect(t).toMatchObject({ score: 40, availability: { crossesReorderPoint: true, raise: 0 } });
    expect(t.explanation).toMatch(/from 60 to 70, back above the reorder point \(reorder point 63, safety stock 27 \(policy days of cover\)\): the books would replenish stock that is there$/);
  });
});
