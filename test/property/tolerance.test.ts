import fc from 'fast-check';
import { judgeTolerance, toleranceFor, type PolicyDocument, type ToleranceOverride, type ToleranceScope } from '../../src/domain';
import { limits, nonNegQty, override, policy, qty, scope, unitCost } from './arbitraries';

const LIMIT_FIELDS = ['pct', 'units', 'value'] as const;
const SCOPE_FIELDS = ['site', 'zone', 'process', 'skuClass'] as const;

const specificity = (o: ToleranceOverride) => SCOPE_FIELDS.filter((f) => o[f] !== undefined).length;
const matches = (o: ToleranceOverride, s: ToleranceScope) => SCOPE_FIELDS.every((f) => o[f] === undefined || o[f] === s[f]);
const withOverrides = (p: PolicyDocument, overrides: ToleranceOverride[]): PolicyDocument => ({
  ...p,
  tolerances: { ...p.tolerances, overrides },
});

describe('judgeTolerance', () => {
  it('is monotonic in |variance|: inside at a larger variance means inside at every smaller one', () => {
    fc.assert(
      fc.property(limits, nonNegQty(1000), qty(200), qty(200), unitCost, (l, expected, a, b, cost) => {
        const [small, large] = Math.abs(a) <= Math.abs(b) ? [a, b] : [b, a];
        if (judgeTolerance(l, expected, large, cost).within) {
          expect(judgeTolerance(l, expected, small, cost).within).toBe(true);
        }
      }),
    );
  });

  it('does not depend on the sign of the variance', () => {
    fc.assert(
      fc.property(limits, nonNegQty(), qty(), unitCost, (l, expected, variance, cost) => {
        const over = judgeTolerance(l, expected, variance, cost);
        const under = judgeTolerance(l, expected, -variance, cost);
        expect(under).toEqual(over);
      }),
    );
  });

  it('is always bounded by value: beyond the value limit is outside, whatever the units and percent allow', () => {
    fc.assert(
      fc.property(limits, nonNegQty(), qty(), unitCost, (l, expected, variance, cost) => {
        const v = judgeTolerance({ ...l, units: Number.MAX_SAFE_INTEGER, pct: 100 }, expected, variance, cost);
        expect(v.within).toBe(v.varianceValue <= l.value);
        if (v.varianceValue > l.value) expect(judgeTolerance(l, expected, variance, cost).within).toBe(false);
      }),
    );
  });

  it('with nothing expected, judges by units and value only (no percent of zero, no NaN)', () => {
    fc.assert(
      fc.property(limits, fc.integer({ min: 0, max: 1000 }).map((n) => n / 10), qty(), unitCost, (l, otherPct, variance, cost) => {
        const v = judgeTolerance(l, 0, variance, cost);
        expect(v.variancePct).toBeNull();
        expect(Number.isFinite(v.varianceValue)).toBe(true);
        expect(v.within).toBe(Math.abs(variance) <= l.units && v.varianceValue <= l.value);
        expect(judgeTolerance({ ...l, pct: otherPct }, 0, variance, cost).within).toBe(v.within);
      }),
    );
  });
});

describe('toleranceFor', () => {
  it('takes each limit from the most specific matching override that sets it (later wins a tie), else the class', () => {
    fc.assert(
      fc.property(policy, scope, (p, s) => {
        const got = toleranceFor(p, s);
        for (const field of LIMIT_FIELDS) {
          let best: { spec: number; value: number } | undefined;
          for (const o of p.tolerances.overrides) {
            const value = o[field];
            if (!matches(o, s) || value === undefined) continue;
            if (!best || specificity(o) >= best.spec) best = { spec: specificity(o), value };
          }
          expect(got[field]).toBe(best ? best.value : p.tolerances.byClass[s.skuClass][field]);
        }
      }),
    );
  });

  it('never lets a broader override loosen (or change) a field a more specific matching override sets, wherever it is listed', () => {
    fc.assert(
      fc.property(policy, scope, override, fc.nat(), (p, s, extra, at) => {
        const overrides = p.tolerances.overrides;
        const before = toleranceFor(p, s);
        const position = at % (overrides.length + 1);
        const after = toleranceFor(withOverrides(p, [...overrides.slice(0, position), extra, ...overrides.slice(position)]), s);
        for (const field of LIMIT_FIELDS) {
          const shadowed = overrides.some((o) => matches(o, s) && o[field] !== undefined && specificity(o) > specificity(extra));
          if (shadowed) expect(after[field]).toBe(before[field]);
        }
      }),
    );
  });

  it('ignores overrides that do not match the scope', () => {
    fc.assert(
      fc.property(policy, scope, (p, s) => {
        const relevant = p.tolerances.overrides.filter((o) => matches(o, s));
        expect(toleranceFor(withOverrides(p, relevant), s)).toEqual(toleranceFor(p, s));
      }),
    );
  });
});
