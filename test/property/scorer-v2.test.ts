import fc from 'fast-check';
import {
  calibrate,
  confidenceOf,
  EMPTY_PEERS,
  FEATURE_NAMES,
  FEATURE_VALUES,
  fitModel,
  fitPlatt,
  posterior,
  PRIOR_MODEL,
  ROOT_CAUSES,
  scoreDiscrepancyV2,
  type Features,
  type LabelledOutcome,
  type PeerContext,
  type ScoreInput,
} from '../../src/domain';
import { kind, nonNegQty, unitCost } from './arbitraries';

const features: fc.Arbitrary<Features> = fc.record(
  Object.fromEntries(FEATURE_NAMES.map((n) => [n, fc.constantFrom(...(FEATURE_VALUES[n] as readonly string[]))])) as {
    [F in keyof Features]: fc.Arbitrary<Features[F]>;
  },
);

const outcome: fc.Arbitrary<LabelledOutcome> = fc.record(
  { features, cause: fc.constantFrom(...ROOT_CAUSES), changed: fc.boolean() },
  { requiredKeys: ['features'] },
);

/** A model fitted on up to 60 random outcomes (the prior alone when there are none). */
const model = fc.array(outcome, { maxLength: 60 }).map((os) => (os.length ? fitModel(os, 1) : PRIOR_MODEL));

const peers: fc.Arbitrary<PeerContext> = fc.record({
  pastVariances: fc.array(nonNegQty(500), { maxLength: 8 }),
  users: fc.array(fc.record({ key: fc.constantFrom('u1', 'u2'), lossUnits: nonNegQty(200), peers: fc.array(nonNegQty(200), { maxLength: 6 }) }), { maxLength: 2 }),
  shifts: fc.array(fc.record({ key: fc.constantFrom('A', 'B'), lossUnits: nonNegQty(200), peers: fc.array(nonNegQty(200), { maxLength: 3 }) }), { maxLength: 2 }),
  lookbackDays: fc.integer({ min: 1, max: 365 }),
});

const scoreInput: fc.Arbitrary<ScoreInput> = fc.record({
  kind,
  expectedQty: nonNegQty(1000),
  observedQty: nonNegQty(1000),
  unitCost,
  sourceEventIds: fc.constant(['E1']),
  recounts: fc.array(fc.record({ countedQty: nonNegQty(1000) }), { maxLength: 2 }),
  evidence: fc.record({
    missing: fc.subarray(['wmsBalance', 'erpOnHand', 'inbound']),
    recentTransactions: fc.array(
      fc.record({ id: fc.constant('T'), type: fc.constantFrom('pick', 'receipt', 'shipment'), qty: nonNegQty(100), occurredAt: fc.constant('2026-11-20T10:00:00Z'), postedToErp: fc.boolean() }),
      { maxLength: 4 },
    ),
  }),
});

describe('scorer v2 properties', () => {
  it('root-cause probabilities are each in [0, 1] and sum to 1, for any features and any fitted model', () => {
    fc.assert(
      fc.property(features, model, (f, m) => {
        const p = posterior(f, m);
        const values = ROOT_CAUSES.map((c) => p[c]);
        expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
        expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      }),
    );
  });

  it('a scored case lists every root cause once, most likely first, summing to 1, with a confidence in [0, 1]', () => {
    fc.assert(
      fc.property(scoreInput, peers, model, (i, pc, m) => {
        const s = scoreDiscrepancyV2(i, pc, m);
        expect(new Set(s.rootCauses!.map((r) => r.cause)).size).toBe(ROOT_CAUSES.length);
        expect(s.rootCauses!.reduce((a, r) => a + r.probability, 0)).toBeCloseTo(1, 3);
        for (let k = 1; k < s.rootCauses!.length; k++) expect(s.rootCauses![k - 1].probability).toBeGreaterThanOrEqual(s.rootCauses![k].probability);
        expect(s.confidence).toBeGreaterThanOrEqual(0);
        expect(s.confidence).toBeLessThanOrEqual(1);
        expect(s.scorerVersion).toBe(`bayes-v2.${m.version}`);
      }),
      { numRuns: 150 },
    );
  });

  it('calibration never lowers the confidence as the raw confidence rises, whatever verdicts it was fitted on', () => {
    const pairs = fc.array(fc.record({ raw: fc.double({ min: 0, max: 1, noNaN: true }), y: fc.boolean() }), { maxLength: 80 });
    const raws = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 20 });
    fc.assert(
      fc.property(pairs, raws, (ps, rs) => {
        const c = fitPlatt(ps);
        expect(c.a).toBeGreaterThan(0);
        const sorted = [...rs].sort((a, b) => a - b);
        const out = sorted.map((r) => calibrate(r, c));
        for (let k = 1; k < out.length; k++) expect(out[k]).toBeGreaterThanOrEqual(out[k - 1]);
        expect(out.every((p) => p >= 0 && p <= 1)).toBe(true);
      }),
    );
  });

  it('fitting is pure: the same outcomes give the same model and the same scores', () => {
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 30 }), features, (os, f) => {
        const a = fitModel(os, 3);
        const b = fitModel(os, 3);
        expect(b).toEqual(a);
        expect(confidenceOf(f, a)).toEqual(confidenceOf(f, b));
      }),
      { numRuns: 50 },
    );
  });

  it('the prior model scores without peer data', () => {
    fc.assert(fc.property(scoreInput, (i) => expect(scoreDiscrepancyV2(i, EMPTY_PEERS, PRIOR_MODEL).scorerVersion).toBe('bayes-v2.0')), { numRuns: 50 });
  });
});
