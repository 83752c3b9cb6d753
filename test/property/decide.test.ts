import fc from 'fast-check';
import { AUTO_RULE_NAMES, assess, decide, DEFAULT_POLICY_INPUT, PolicyDocument, type DecideInput, type Score } from '../../src/domain';
import { nonNegQty, policy, report } from './arbitraries';

/**
 * decide() must keep its promises for any score, not only the ones scorer v1 produces today:
 * the score is generated freely.
 */
const score: fc.Arbitrary<Score> = fc.record({
  scorerVersion: fc.constant('prop'),
  causes: fc.constant([]),
  confidence: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
  explainedQty: fc.constant(0),
  unexplainedQty: fc.constant(0),
  fullyExplained: fc.boolean(),
  recommendedAction: fc.constantFrom('suppress', 'resync', 'adjust', 'recount', 'review'),
  candidateRule: fc.option(fc.constantFrom(...AUTO_RULE_NAMES), { nil: undefined }),
  explanation: fc.constant('generated'),
  priority: fc.integer({ min: 0, max: 100 }),
});

const decideInput: fc.Arbitrary<DecideInput> = fc
  .record({
    policy,
    report,
    observedQty: fc.oneof(nonNegQty(1000), fc.constant(-1)),
    score,
    recountsDone: fc.integer({ min: 0, max: 3 }),
    autoResolveAllowed: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map(({ policy: p, report: r, observedQty, ...rest }) => {
    // one quantity in four equals the system's, as after a recount that found it right
    const quantities = { expectedQty: r.expectedQty, observedQty: observedQty === -1 ? r.expectedQty : observedQty };
    return { policy: p, report: r, quantities, assessment: assess(p, r, quantities), ...rest };
  });

describe('decide', () => {
  it('auto-resolves only through an enabled rule, at or above its minimum confidence and at or below its maximum value', () => {
    fc.assert(
      fc.property(decideInput, (i) => {
        const d = decide(i);
        if (d.action !== 'auto_resolve') return;
        expect(i.autoResolveAllowed).not.toBe(false);
        expect(d.rule).toBe(i.score.candidateRule);
        const rule = i.policy.autoResolution.rules.find((r) => r.name === d.rule);
        expect(rule?.enabled).toBe(true);
        expect(i.score.confidence).toBeGreaterThanOrEqual(rule!.minConfidence);
        expect(i.assessment.valueAtRisk).toBeLessThanOrEqual(rule!.maxValue);
      }),
      { numRuns: 500 },
    );
  });

  it('never posts an adjustment outside tolerance, and adjusts by exactly the variance', () => {
    fc.assert(
      fc.property(decideInput, (i) => {
        const d = decide(i);
        if (d.action === 'auto_resolve' && d.correction === 'adjust') {
          expect(i.assessment.tolerance.within).toBe(true);
          expect(d.adjustQty).toBe(i.assessment.variance);
        }
        if (d.action === 'auto_resolve' && d.correction !== 'adjust') expect(d.adjustQty).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  // The invariant the code keeps: a rule is checked before severity, so a critical
  // case may close automatically, but only when an enabled rule's own confidence and value limits
  // allow it (a duplicate report, a fully explained resync); otherwise critical always stops the
  // line, never a plain review or recount.
  it('critical: auto-resolves only when a rule allows it, otherwise holds the stock first (or closes on a recount that found no variance)', () => {
    fc.assert(
      fc.property(decideInput, (i) => {
        if (i.assessment.severity !== 'critical') return;
        const d = decide(i);
        expect(['auto_resolve', 'hold_then_review', 'resolved_by_recount']).toContain(d.action);
        if (d.action === 'resolved_by_recount') expect(i.assessment.variance).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('recounts only count kinds with a location while automatic recounts remain; closes by recount only on no variance', () => {
    fc.assert(
      fc.property(decideInput, (i) => {
        const d = decide(i);
        if (d.action === 'recount') {
          expect(i.policy.recounts.kinds).toContain(i.report.kind);
          expect(i.report.location).toBeDefined();
          expect(i.recountsDone).toBeLessThan(i.policy.recounts.automatic);
        }
        if (d.action === 'resolved_by_recount') {
          expect(i.recountsDone).toBeGreaterThan(0);
          expect(i.assessment.variance).toBe(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('auto-resolution rules in a policy', () => {
  it('are refused when two share a name: decide() could not tell whose limits apply', () => {
    fc.assert(
      fc.property(fc.constantFrom(...AUTO_RULE_NAMES), (name) => {
        const rules = [
          { name, minConfidence: 0.5, maxValue: 100 },
          { name, minConfidence: 0.9, maxValue: 10 },
        ];
        const parsed = PolicyDocument.safeParse({ ...DEFAULT_POLICY_INPUT, autoResolution: { rules } });
        expect(parsed.success).toBe(false);
        expect(parsed.error!.issues.map((x) => x.path.join('.'))).toContain('autoResolution.rules.1.name');
      }),
    );
  });
});
