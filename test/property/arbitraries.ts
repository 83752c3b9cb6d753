import fc from 'fast-check';
import {
  AUTO_RULE_NAMES,
  DEFAULT_POLICY_INPUT,
  DISCREPANCY_KINDS,
  PolicyDocument,
  SEVERITIES,
  type DiscrepancyReport,
  type PolicyDocumentInput,
  type ToleranceLimits,
  type ToleranceOverride,
} from '../../src/domain';

/**
 * Generators for the domain's inputs. Quantities are on a hundredth grid (fractional units of
 * measure such as KG occur; arbitrary binary fractions do not), money in cents.
 */

export const qty = (max = 100_000) => fc.integer({ min: -max * 100, max: max * 100 }).map((n) => n / 100);
export const nonNegQty = (max = 100_000) => fc.integer({ min: 0, max: max * 100 }).map((n) => n / 100);
export const unitCost = fc.integer({ min: 0, max: 500_000 }).map((n) => n / 100);
export const pct = fc.integer({ min: 0, max: 1000 }).map((n) => n / 10);

export const limits: fc.Arbitrary<ToleranceLimits> = fc.record({
  pct,
  units: fc.integer({ min: 0, max: 50 }),
  value: fc.integer({ min: 0, max: 5000 }),
});

export const SITES = ['DC1', 'DC2', 'DC3'] as const;
export const ZONES = ['A', 'B', 'RCV'] as const;
export const PROCESSES = ['receiving', 'picking', 'counting', 'returns', 'transfers', 'general'] as const;
export const CLASSES = ['A', 'B', 'C'] as const;

/** An override on a random subset of scope fields and of limit fields. */
export const override: fc.Arbitrary<ToleranceOverride> = fc.record(
  {
    site: fc.constantFrom(...SITES),
    zone: fc.constantFrom(...ZONES),
    process: fc.constantFrom(...PROCESSES),
    skuClass: fc.constantFrom(...CLASSES),
    pct,
    units: fc.integer({ min: 0, max: 50 }),
    value: fc.integer({ min: 0, max: 5000 }),
  },
  { requiredKeys: [] },
);

export const scope = fc.record({
  site: fc.constantFrom(...SITES),
  zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
  process: fc.constantFrom(...PROCESSES),
  skuClass: fc.constantFrom(...CLASSES),
});

const severity = fc.constantFrom(...SEVERITIES);

const autoRule = fc.record({
  name: fc.constantFrom(...AUTO_RULE_NAMES),
  enabled: fc.boolean(),
  minConfidence: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
  maxValue: fc.integer({ min: 0, max: 50_000 }),
});

/** A valid policy: the default's ladders and limits, everything decide() reads generated. */
export const policy: fc.Arbitrary<PolicyDocument> = fc
  .record({
    byClass: fc.record({ A: limits, B: limits, C: limits }),
    overrides: fc.array(override, { maxLength: 8 }),
    high: fc.integer({ min: 0, max: 30_000 }),
    criticalAbove: fc.integer({ min: 0, max: 30_000 }),
    kindFloor: fc.dictionary(fc.constantFrom(...DISCREPANCY_KINDS), severity, { maxKeys: 4 }),
    rules: fc.uniqueArray(autoRule, { selector: (r) => r.name, maxLength: AUTO_RULE_NAMES.length }),
    automatic: fc.integer({ min: 0, max: 5 }),
  })
  .map((g) => {
    const input: PolicyDocumentInput = {
      ...DEFAULT_POLICY_INPUT,
      tolerances: { byClass: g.byClass, overrides: g.overrides },
      severity: { highFromValue: g.high, criticalFromValue: g.high + g.criticalAbove, kindFloor: g.kindFloor },
      autoResolution: { rules: g.rules },
      recounts: { automatic: g.automatic, timeout: '1h' },
    };
    return PolicyDocument.parse(input);
  });

export const kind = fc.constantFrom(...DISCREPANCY_KINDS);

/** A report as DiscrepancyReport.parse would output it (quantities may be any; parse rules are tested apart). */
export const report: fc.Arbitrary<DiscrepancyReport> = fc.record({
  kind,
  site: fc.constantFrom(...SITES),
  sku: fc.constantFrom('SKU-1', 'SKU-2'),
  location: fc.option(fc.constantFrom('A-01-01', 'B-02-02', 'RCV-DOCK', 'Z9'), { nil: undefined }),
  expectedQty: nonNegQty(),
  observedQty: nonNegQty(),
  uom: fc.constant('EA'),
  unitCost,
  skuClass: fc.constantFrom(...CLASSES),
  process: fc.option(fc.constantFrom(...PROCESSES), { nil: undefined }),
  source: fc.constant('wms'),
  sourceEventIds: fc.constant(['E1']),
  causedBy: fc.constant([]),
});
