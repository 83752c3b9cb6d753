import type { SkuClass } from '../../src/domain';
import { planCycleCounts, type PlanningLocation } from '../../src/domain/cycle-plan';
import { Prng } from '../../src/sim/prng';

/**
 * The planner over a simulated quarter on a site of 5,000 bins (pure: the planning function the
 * nightly activity runs, day after day, with the counts it plans applied). A bin's class comes
 * from its skus (20 % A, 30 % B, 50 % C); the steady state before the quarter has every bin's last
 * count spread over its class's period.
 */
const FREQUENCY: Record<SkuClass, number> = { A: 30, B: 91, C: 365 };
const BINS = 5000;
const DAYS = 91;
// the due load is 1000/30 + 1500/91 + 2500/365 ≈ 57 bins a night; a counter's night is 80
const CAPACITY = 80;

interface Bin extends PlanningLocation {
  lastCountDay: number;
}

/**
 * steady: last counts spread over the first 90 % of each period, as the planner (which counts a
 * bin once 90 % of its period has passed) leaves them; else over the whole period, a backlog.
 */
function site(seed: number, steady = false): Bin[] {
  const rng = new Prng(seed);
  return Array.from({ length: BINS }, (_, i) => {
    const skuClass: SkuClass = i % 10 < 2 ? 'A' : i % 10 < 5 ? 'B' : 'C';
    const since = rng.int(1, steady ? Math.ceil(FREQUENCY[skuClass] * 0.9) : FREQUENCY[skuClass] - 1);
    return {
      location: `Z${Math.floor(i / 500)}-${String(i % 500).padStart(3, '0')}`,
      skus: [`SKU-${i}`],
      skuClass,
      errorCases: rng.chance(0.03) ? 1 : 0,
      velocityPerDay: rng.range(0, skuClass === 'A' ? 20 : 5),
      stockValue: rng.range(10, skuClass === 'A' ? 5000 : 800),
      daysSinceCount: since,
      openCountTask: false,
      lastCountDay: -since,
    };
  });
}

it('meets every class’s count frequency over a quarter from a backlog, and spends the rest of each night on risk', () => {
  const bins = site(13);
  const worstGap: Record<SkuClass, number> = { A: 0, B: 0, C: 0 };
  const counted: Record<SkuClass, number> = { A: 0, B: 0, C: 0 };
  let riskCounts = 0;
  for (let day = 0; day < DAYS; day++) {
    for (const b of bins) b.daysSinceCount = day - b.lastCountDay;
    const plan = planCycleCounts(bins, { capacity: CAPACITY, frequencyDays: FREQUENCY });
    expect(plan.length).toBeLessThanOrEqual(CAPACITY);
    const byLocation = new Map(bins.map((b) => [b.location, b]));
    for (const p of plan) {
      const b = byLocation.get(p.location)!;
      worstGap[b.skuClass] = Math.max(worstGap[b.skuClass], day - b.lastCountDay);
      counted[b.skuClass] += 1;
      b.lastCountDay = day;
      if (p.purpose === 'risk') riskCounts += 1;
    }
  }
  // and nobody is overdue at the end of the quarter
  for (const b of bins) worstGap[b.skuClass] = Math.max(worstGap[b.skuClass], DAYS - b.lastCountDay);
  expect(worstGap.A).toBeLessThanOrEqual(FREQUENCY.A);
  expect(worstGap.B).toBeLessThanOrEqual(FREQUENCY.B);
  expect(worstGap.C).toBeLessThanOrEqual(FREQUENCY.C);
  // every A bin about three times, every B bin at least once
  expect(counted.A).toBeGreaterThanOrEqual(3 * 1000 - 50);
  expect(counted.B).toBeGreaterThanOrEqual(1500);
  // what the frequencies leave is spent on risk, not left idle
  expect(riskCounts).toBeGreaterThan(0);
  expect(counted.A + counted.B + counted.C).toBe(DAYS * CAPACITY);
});

it('puts an injected risky bin on the first night’s plan, and says why each bin is on it', () => {
  const bins = site(7, true);
  // a C bin counted 20 days ago (nowhere near due) that was wrong four times in 90 days, moves fast and holds value
  const risky = bins.find((b) => b.skuClass === 'C')!;
  Object.assign(risky, { errorCases: 4, velocityPerDay: 40, stockValue: 20_000, daysSinceCount: 20, lastCountDay: -20 });
  const plan = planCycleCounts(bins, { capacity: CAPACITY, frequencyDays: FREQUENCY });
  const entry = plan.find((p) => p.location === risky.location);
  expect(entry).toMatchObject({ purpose: 'risk', skuClass: 'C', dueInDays: 345 });
  expect(entry!.reasons[0]).toMatch(/^risk [\d.]+: 4 discrepancies in 90 days, moves 40 units a day, 20,000 of stock at cost, last counted 20 days ago$/);
  // the due bins come first, each saying which frequency it meets
  const firstRisk = plan.findIndex((p) => p.purpose === 'risk');
  expect(firstRisk).toBeGreaterThan(0);
  expect(plan.slice(0, firstRisk).every((p) => p.purpose === 'frequency')).toBe(true);
  expect(plan.slice(firstRisk).every((p) => p.purpose === 'risk')).toBe(true);
  expect(plan[0].reasons[0]).toMatch(/^class [ABC]: counted at least every \d+ days; last counted \d+ days ago, (due today|due in \d+ days|overdue by [\d.]+ days)$/);
  expect(plan.map((p) => p.rank)).toEqual(plan.map((_, i) => i + 1));
});

it('counts a never-counted bin first and leaves out bins with an open task or a count today', () => {
  const base = { skus: ['S'], errorCases: 0, velocityPerDay: 1, stockValue: 10, openCountTask: false };
  const plan = planCycleCounts(
    [
      { ...base, location: 'A', skuClass: 'C', daysSinceCount: 100 },
      { ...base, location: 'B', skuClass: 'C', daysSinceCount: null },
      { ...base, location: 'C', skuClass: 'A', daysSinceCount: 40, openCountTask: true },
      { ...base, location: 'D', skuClass: 'A', daysSinceCount: 0.5 },
      { ...base, location: 'E', skuClass: 'A', daysSinceCount: 31 },
    ],
    { capacity: 3, frequencyDays: FREQUENCY },
  );
  expect(plan.map((p) => [p.location, p.purpose, p.dueInDays])).toEqual([
    ['B', 'frequency', null],
    ['E', 'frequency', -1],
    ['A', 'risk', 265],
  ]);
  expect(plan[0].reasons[0]).toBe('class C: counted at least every 365 days; never counted');
});
