import fc from 'fast-check';
import { roundQty, scoreDiscrepancy, type Evidence, type ScoreInput } from '../../src/domain';
import { kind, nonNegQty, unitCost } from './arbitraries';

const small = nonNegQty(200);
const id = fc.constantFrom('D1', 'D2', 'D3');
const at = '2026-11-20T10:00:00Z';

const evidence: fc.Arbitrary<Evidence> = fc.record({
  inbound: fc.array(
    fc.record({ docKind: fc.constantFrom('asn', 'po', 'receipt'), id, expectedQty: small, receivedQty: small, postedToErp: fc.boolean() }),
    { maxLength: 3 },
  ),
  openAllocations: fc.array(
    fc.record({ id, orderId: id, qty: small, pickedQty: small, issuedInErp: fc.boolean() }),
    { maxLength: 3 },
  ),
  transfersInTransit: fc.array(
    fc.record({
      id,
      fromSite: fc.constant('DC1'),
      toSite: fc.constant('DC2'),
      qty: small,
      shippedAt: fc.constant(at),
      eta: fc.constant(at),
      direction: fc.constantFrom('outbound', 'inbound'),
      receivedInWms: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
  returnsPending: fc.array(fc.record({ id, qty: small, receivedAt: fc.constant(at), dispositioned: fc.boolean() }), { maxLength: 3 }),
  priorCases: fc.array(fc.record({ caseId: id, status: fc.constant('closed'), sharedEventIds: fc.subarray(['E1', 'E2']) }), { maxLength: 2 }),
  missing: fc.subarray(['wmsBalance', 'erpOnHand', 'inbound', 'all']),
});

/** Often a variance that some documents add up to exactly, so "fully explained" is exercised. */
const scoreInput: fc.Arbitrary<ScoreInput> = fc
  .record({
    kind,
    expectedQty: nonNegQty(1000),
    delta: fc.oneof(fc.integer({ min: -300, max: 300 }).map((n) => n / 1), nonNegQty(300).map((n) => -n)),
    unitCost,
    sourceEventIds: fc.subarray(['E1', 'E2']),
    recounts: fc.array(small.map((countedQty) => ({ countedQty })), { maxLength: 3 }),
    reported: fc.option(small, { nil: undefined }),
    evidence,
  })
  .map(({ delta, reported, ...i }) => ({ ...i, observedQty: roundQty(i.expectedQty + delta), reportedQty: reported }));

describe('scorer v1', () => {
  it('never explains more than the variance, and only in its direction', () => {
    fc.assert(
      fc.property(scoreInput, (i) => {
        const s = scoreDiscrepancy(i);
        const variance = roundQty(i.observedQty - i.expectedQty);
        expect(Math.abs(s.explainedQty)).toBeLessThanOrEqual(Math.abs(variance));
        if (s.explainedQty !== 0) expect(Math.sign(s.explainedQty)).toBe(Math.sign(variance));
        expect(roundQty(s.explainedQty + s.unexplainedQty)).toBe(variance);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives probabilities and a confidence in [0, 1] and a priority in [0, 100]', () => {
    fc.assert(
      fc.property(scoreInput, (i) => {
        const s = scoreDiscrepancy(i);
        expect(s.confidence).toBeGreaterThanOrEqual(0);
        expect(s.confidence).toBeLessThanOrEqual(1);
        for (const c of s.causes) {
          expect(c.probability).toBeGreaterThanOrEqual(0);
          expect(c.probability).toBeLessThanOrEqual(1);
        }
        expect(s.priority).toBeGreaterThanOrEqual(0);
        expect(s.priority).toBeLessThanOrEqual(100);
      }),
      { numRuns: 1000 },
    );
  });

  it('is fully explained exactly when the explained quantity is the (non-zero) variance', () => {
    fc.assert(
      fc.property(scoreInput, (i) => {
        const s = scoreDiscrepancy(i);
        const variance = roundQty(i.observedQty - i.expectedQty);
        if (variance === 0) expect(s.fullyExplained).toBe(false);
        else expect(s.fullyExplained).toBe(s.explainedQty === variance);
        if (s.fullyExplained) expect(s.unexplainedQty).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('is pure: the same input gives the same score', () => {
    fc.assert(
      fc.property(scoreInput, (i) => {
        expect(scoreDiscrepancy(structuredClone(i))).toEqual(scoreDiscrepancy(i));
      }),
    );
  });
});
