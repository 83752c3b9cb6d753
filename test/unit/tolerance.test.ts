import {
  DEFAULT_POLICY,
  judgeTolerance,
  maxSeverity,
  severityFor,
  severityRank,
  toleranceFor,
  zoneOf,
  type DiscrepancyKind,
  type PolicyDocument,
  type Severity,
  type ToleranceLimits,
  type ToleranceOverride,
  type ToleranceScope,
} from '../../src/domain';

const CLASS = DEFAULT_POLICY.tolerances.byClass; // A {1%, 2u, 100}, B {2%, 5u, 250}, C {5%, 10u, 500}

function policyWithOverrides(overrides: ToleranceOverride[]): PolicyDocument {
  return { ...DEFAULT_POLICY, tolerances: { ...DEFAULT_POLICY.tolerances, overrides } };
}

describe('zoneOf', () => {
  it.each<[string | undefined, string | undefined]>([
    ['A-01-03', 'A'],
    ['B/02/01', 'B'],
    ['C.1.2', 'C'],
    ['DOCK', 'DOCK'],
    ['RCV-DOCK-1', 'RCV'],
    ['-01', undefined],
    [undefined, undefined],
  ])('%s → %s', (location, zone) => {
    expect(zoneOf(location)).toBe(zone);
  });
});

describe('toleranceFor', () => {
  const scope = (s: Partial<ToleranceScope> = {}): ToleranceScope => ({ site: 'DC1', process: 'counting', skuClass: 'A', ...s });

  it.each<['A' | 'B' | 'C', ToleranceLimits]>([
    ['A', { pct: 1, units: 2, value: 100 }],
    ['B', { pct: 2, units: 5, value: 250 }],
    ['C', { pct: 5, units: 10, value: 500 }],
  ])('class %s without overrides gets its class default', (skuClass, limits) => {
    expect(toleranceFor(policyWithOverrides([]), scope({ skuClass }))).toEqual(limits);
    expect(toleranceFor(DEFAULT_POLICY, scope({ skuClass }))).toEqual(limits);
  });

  it.each(['A', 'B', 'C'] as const)('the default policy allows no quantity variance when receiving (class %s keeps its value limit)', (skuClass) => {
    expect(toleranceFor(DEFAULT_POLICY, scope({ skuClass, process: 'receiving' }))).toEqual({ pct: 0, units: 0, value: CLASS[skuClass].value });
  });

  const overrides: ToleranceOverride[] = [
    /* 0 */ { site: 'DC1', units: 3 },
    /* 1 */ { zone: 'A', units: 4 },
    /* 2 */ { site: 'DC1', zone: 'A', units: 6 },
    /* 3 */ { process: 'picking', pct: 3 },
    /* 4 */ { skuClass: 'A', value: 150 },
    /* 5 */ { site: 'DC1', skuClass: 'A', value: 120 },
    /* 6 */ { site: 'DC2', zone: 'A', process: 'counting', skuClass: 'B', pct: 9, units: 9, value: 999 },
    /* 7 */ { site: 'DC3', pct: 4 },
    /* 8 */ { site: 'DC3', pct: 7 },
  ];
  const policy = policyWithOverrides(overrides);

  it.each<[string, Partial<ToleranceScope>, ToleranceLimits]>([
    // site DC1 only (#0 units 3); class A value override (#4 → 150) then DC1+A (#5, more specific → 120)
    ['DC1, no zone, class A', { zone: undefined }, { pct: CLASS.A.pct, units: 3, value: 120 }],
    // site (#0, 3) and zone (#1, 4) tie on specificity: the later one (#1) wins; DC1+A zone (#2, 6) is more specific
    ['DC1, zone A', { zone: 'A' }, { pct: CLASS.A.pct, units: 6, value: 120 }],
    // zone B: only #0 matches for units
    ['DC1, zone B', { zone: 'B' }, { pct: CLASS.A.pct, units: 3, value: 120 }],
    // DC2 zone A class A: #1 (units 4), #4 (value 150); #6 needs class B
    ['DC2, zone A, class A', { site: 'DC2', zone: 'A' }, { pct: CLASS.A.pct, units: 4, value: 150 }],
    // DC2 zone A counting class B: #6 matches all four dimensions and overrides everything
    ['DC2, zone A, counting, class B', { site: 'DC2', zone: 'A', skuClass: 'B' }, { pct: 9, units: 9, value: 999 }],
    // same but picking: #6 does not match; #1 units 4, #3 pct 3, class B value
    ['DC2, zone A, picking, class B', { site: 'DC2', zone: 'A', skuClass: 'B', process: 'picking' }, { pct: 3, units: 4, value: CLASS.B.value }],
    // DC9 class C picking, no zone: only #3
    ['DC9, picking, class C', { site: 'DC9', skuClass: 'C', process: 'picking' }, { pct: 3, units: CLASS.C.units, value: CLASS.C.value }],
    // DC3: #7 and #8 tie; document order: the later (#8, 7%) wins
    ['DC3, class C', { site: 'DC3', skuClass: 'C' }, { pct: 7, units: CLASS.C.units, value: CLASS.C.value }],
    // nothing matches
    ['DC9, zone Z, class C', { site: 'DC9', zone: 'Z', skuClass: 'C' }, CLASS.C],
  ])('%s', (_name, s, limits) => {
    expect(toleranceFor(policy, scope(s))).toEqual(limits);
  });

  it('a more specific override wins even when it comes first in the document', () => {
    const p = policyWithOverrides([
      { site: 'DC1', process: 'counting', units: 1 },
      { site: 'DC1', units: 50 },
    ]);
    expect(toleranceFor(p, scope()).units).toBe(1);
    expect(toleranceFor(p, scope({ process: 'picking' })).units).toBe(50);
  });

  it('an override only replaces the limits it names', () => {
    const p = policyWithOverrides([{ site: 'DC1', pct: 0.5 }]);
    expect(toleranceFor(p, scope({ skuClass: 'B' }))).toEqual({ ...CLASS.B, pct: 0.5 });
  });

  it('does not change the policy it reads', () => {
    const before = JSON.stringify(policy);
    toleranceFor(policy, scope({ zone: 'A' }));
    expect(JSON.stringify(policy)).toBe(before);
  });
});

describe('judgeTolerance: units OR percent, and value always bounds', () => {
  const L = (pct: number, units: number, value: number): ToleranceLimits => ({ pct, units, value });

  it.each<[string, ToleranceLimits, number, number, number, boolean, number | null, number]>([
    // name, limits, expected, variance, unitCost, within, variancePct = |v|/expected*100, varianceValue = |v|*cost
    ['inside units, percent large (small bin)', L(1, 2, 100), 10, -2, 1, true, (2 / 10) * 100, 2 * 1],
    ['outside units, inside percent (large bin)', L(1, 2, 100), 1000, -8, 1, true, (8 / 1000) * 100, 8 * 1],
    ['outside units and percent', L(1, 2, 100), 100, -3, 1, false, (3 / 100) * 100, 3 * 1],
    ['exactly on the unit limit', L(0, 2, 100), 5, 2, 1, true, (2 / 5) * 100, 2],
    ['exactly on the percent limit', L(1, 0, 100), 500, -5, 1, true, (5 / 500) * 100, 5],
    ['just over the percent limit', L(1, 0, 100), 500, -6, 1, false, (6 / 500) * 100, 6],
    ['inside units but over the value limit', L(1, 2, 100), 10, -2, 60, false, (2 / 10) * 100, 2 * 60],
    ['inside percent but over the value limit', L(5, 0, 100), 1000, 40, 3, false, (40 / 1000) * 100, 40 * 3],
    ['exactly on the value limit', L(5, 2, 100), 10, -2, 50, true, (2 / 10) * 100, 2 * 50],
    ['overage judged like a shortage', L(1, 2, 100), 10, 2, 1, true, (2 / 10) * 100, 2],
    ['expected 0: percent undefined, judged by units', L(100, 2, 100), 0, 2, 1, true, null, 2],
    ['expected 0: beyond units is outside whatever the percent', L(100, 2, 100), 0, 3, 1, false, null, 3],
    ['negative expected (system negative): judged by units', L(100, 1, 100), -4, 4, 1, false, null, 4],
    ['zero tolerance: any variance is outside', L(0, 0, 0), 100, -1, 0, false, (1 / 100) * 100, 0],
    ['zero tolerance with a free item: value passes, quantity does not', L(0, 0, 1000), 100, -1, 0, false, 1, 0],
    ['value rounded to cents before comparing', L(100, 100, 0.33), 10, 1, 0.3333, true, 10, 0.33],
  ])('%s', (_name, limits, expected, variance, unitCost, within, pct, value) => {
    const v = judgeTolerance(limits, expected, variance, unitCost);
    expect(v.within).toBe(within);
    expect(v.limits).toEqual(limits);
    if (pct === null) expect(v.variancePct).toBeNull();
    else expect(v.variancePct).toBeCloseTo(pct, 9);
    expect(v.varianceValue).toBeCloseTo(value, 9);
  });
});

describe('severityFor', () => {
  // default: high from 2500, critical from 25000; negative_inventory and lot_expiry at least high
  const { highFromValue: HIGH, criticalFromValue: CRIT } = DEFAULT_POLICY.severity;

  it.each<[DiscrepancyKind, boolean, number, Severity]>([
    ['count_variance', true, 0, 'info'],
    ['count_variance', true, HIGH - 0.01, 'info'],
    ['count_variance', false, 0, 'review'],
    ['count_variance', false, HIGH - 0.01, 'review'],
    ['count_variance', false, HIGH, 'high'],
    ['count_variance', false, CRIT - 0.01, 'high'],
    ['count_variance', false, CRIT, 'critical'],
    ['count_variance', false, CRIT * 10, 'critical'],
    // money always bounds: a large value is never filed as info, even inside tolerance
    ['count_variance', true, HIGH, 'high'],
    ['count_variance', true, CRIT, 'critical'],
    // kind floors
    ['negative_inventory', true, 0, 'high'],
    ['negative_inventory', false, 1, 'high'],
    ['negative_inventory', false, CRIT, 'critical'],
    ['lot_expiry', false, 10, 'high'],
    ['receiving_variance', false, 10, 'review'],
  ])('%s, within=%s, value %d → %s', (kind, within, value, severity) => {
    expect(severityFor(DEFAULT_POLICY, kind, within, value)).toBe(severity);
  });

  it('a floor never lowers a severity', () => {
    const p: PolicyDocument = { ...DEFAULT_POLICY, severity: { ...DEFAULT_POLICY.severity, kindFloor: { count_variance: 'review' } } };
    expect(severityFor(p, 'count_variance', true, 0)).toBe('review');
    expect(severityFor(p, 'count_variance', false, CRIT)).toBe('critical');
  });

  it.each<[Severity, Severity, Severity]>([
    ['info', 'review', 'review'],
    ['critical', 'high', 'critical'],
    ['high', 'high', 'high'],
    ['review', 'info', 'review'],
  ])('maxSeverity(%s, %s) = %s', (a, b, m) => {
    expect(maxSeverity(a, b)).toBe(m);
    expect(maxSeverity(b, a)).toBe(m);
  });

  it('ranks info < review < high < critical', () => {
    expect(['critical', 'info', 'high', 'review'].sort((a, b) => severityRank(a as Severity) - severityRank(b as Severity))).toEqual([
      'info',
      'review',
      'high',
      'critical',
    ]);
  });
});
