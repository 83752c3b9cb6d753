import fc from 'fast-check';
import { assess, severityFor, severityRank, type Severity } from '../../src/domain';
import { kind, nonNegQty, policy, report, unitCost } from './arbitraries';

const value = fc.integer({ min: 0, max: 100_000 });

describe('severityFor', () => {
  it('is monotonic in value at risk, and outside tolerance is never milder than inside', () => {
    fc.assert(
      fc.property(policy, kind, fc.boolean(), value, value, (p, k, within, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(severityRank(severityFor(p, k, within, low))).toBeLessThanOrEqual(severityRank(severityFor(p, k, within, high)));
        expect(severityRank(severityFor(p, k, true, a))).toBeLessThanOrEqual(severityRank(severityFor(p, k, false, a)));
      }),
    );
  });

  it("is never below the kind's floor, and info only inside tolerance", () => {
    fc.assert(
      fc.property(policy, kind, fc.boolean(), value, (p, k, within, v) => {
        const s = severityFor(p, k, within, v);
        const floor: Severity | undefined = p.severity.kindFloor[k];
        if (floor) expect(severityRank(s)).toBeGreaterThanOrEqual(severityRank(floor));
        if (!within) expect(s).not.toBe('info');
        if (v >= p.severity.criticalFromValue) expect(s).toBe('critical');
      }),
    );
  });
});

describe('assess', () => {
  it('severity never decreases when the unit cost (so the value at risk) rises', () => {
    fc.assert(
      fc.property(policy, report, unitCost, unitCost, (p, r, c1, c2) => {
        const [low, high] = c1 <= c2 ? [c1, c2] : [c2, c1];
        const q = { expectedQty: r.expectedQty, observedQty: r.observedQty };
        const cheap = assess(p, { ...r, unitCost: low }, q);
        const dear = assess(p, { ...r, unitCost: high }, q);
        expect(cheap.valueAtRisk).toBeLessThanOrEqual(dear.valueAtRisk);
        expect(severityRank(cheap.severity)).toBeLessThanOrEqual(severityRank(dear.severity));
      }),
    );
  });

  it('severity never decreases as the variance grows in the same direction (stock never negative)', () => {
    fc.assert(
      fc.property(policy, report, nonNegQty(500), nonNegQty(500), fc.boolean(), (p, r, d1, d2, short) => {
        const [small, large] = d1 <= d2 ? [d1, d2] : [d2, d1];
        const expectedQty = short ? r.expectedQty + large : r.expectedQty;
        const at = (d: number) => assess(p, r, { expectedQty, observedQty: short ? expectedQty - d : expectedQty + d });
        expect(severityRank(at(small).severity)).toBeLessThanOrEqual(severityRank(at(large).severity));
      }),
    );
  });

  it("is never below the kind's floor; negative stock is never inside tolerance", () => {
    fc.assert(
      fc.property(policy, report, fc.integer({ min: -10_000, max: 10_000 }), (p, r, observedQty) => {
        const a = assess(p, r, { expectedQty: r.expectedQty, observedQty });
        const floor: Severity | undefined = p.severity.kindFloor[r.kind];
        if (floor) expect(severityRank(a.severity)).toBeGreaterThanOrEqual(severityRank(floor));
        if (observedQty < 0) expect(a.tolerance.within).toBe(false);
        expect(a.valueAtRisk).toBeGreaterThanOrEqual(0);
        expect(a.variance).toBeCloseTo(observedQty - r.expectedQty, 6);
      }),
    );
  });
});
