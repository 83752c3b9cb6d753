import {
  brier,
  calibrate,
  describeShadowDecision,
  EMPTY_PEERS,
  fitModel,
  fitPlatt,
  IDENTITY,
  isShadow,
  outcomeOf,
  PolicyDocument,
  posterior,
  PRIOR_MODEL,
  readingHeld,
  refitDue,
  reliability,
  scoreDiscrepancy,
  scoreDiscrepancyV2,
  scorerOf,
  type CaseState,
  type Evidence,
  type Features,
  type LabelledOutcome,
  type PeerContext,
  type RootCauseV2,
  type ScoreInput,
} from '../../src/domain';
import { TEST_POLICY_INPUT } from '../support/test-policy';

const ev = (e: Partial<Evidence> = {}): Evidence => ({ wmsBalance: { qty: 0, heldQty: 0 }, erpOnHand: { qty: 0 }, missing: [], ...e });
const input = (i: Partial<ScoreInput>): ScoreInput => ({
  kind: 'system_mismatch', expectedQty: 100, observedQty: 100, unitCost: 10, sourceEventIds: ['E1'], recounts: [], evidence: ev(), ...i,
});
const receipt = (id: string, qty: number) => ({ docKind: 'receipt' as const, id, expectedQty: qty, receivedQty: qty, postedToErp: false });
const allocation = (orderId: string, qty: number) => ({ id: `AL-${orderId}`, orderId, qty, pickedQty: qty, issuedInErp: false });
const outbound = (id: string, qty: number) => ({
  id, fromSite: 'DC1', toSite: 'DC2', qty, shippedAt: '2026-11-20T10:00:00Z', eta: '2026-11-21T10:00:00Z', direction: 'outbound' as const, receivedInWms: false,
});
const pilferer: PeerContext = { ...EMPTY_PEERS, users: [{ key: 'u9', lossUnits: 40, peers: [0, 1, 0, 2, 1] }] };

describe('scorer v2 at a cold start (the documented prior): the reading, its cause and v1-compatible decisions', () => {
  // name, input, peers, leading cause, the candidate rule left to decide(), confidence bound
  it.each<[string, Partial<ScoreInput>, PeerContext, RootCauseV2, string | undefined, (c: number) => boolean]>([
    ['receipt in the WMS not posted to the ERP', { expectedQty: 100, observedQty: 124, evidence: ev({ inbound: [receipt('RC-1', 24)] }) }, EMPTY_PEERS, 'unposted_document', 'explained_by_unposted_receipt', (c) => c >= 0.9],
    ['picked for an open order, not issued', { expectedQty: 100, observedQty: 90, evidence: ev({ openAllocations: [allocation('SO-1', 10)] }) }, EMPTY_PEERS, 'open_allocation', 'explained_by_open_allocation', (c) => c >= 0.9],
    ['a late transfer on its way', { kind: 'transfer_delay', expectedQty: 30, observedQty: 0, evidence: ev({ transfersInTransit: [outbound('TR-1', 30)] }) }, EMPTY_PEERS, 'in_transit', 'explained_by_transfer_in_transit', (c) => c >= 0.9],
    ['a duplicate report', { kind: 'count_variance', expectedQty: 10, observedQty: 8, evidence: ev({ priorCases: [{ caseId: 'C0', status: 'closed', sharedEventIds: ['E1'] }] }) }, EMPTY_PEERS, 'duplicate_report', 'duplicate_event', (c) => c >= 0.95],
    // a single count is trusted as v1 trusts it (0.75): enough for count_within_tolerance (0.7)
    ['a single count short', { kind: 'count_variance', expectedQty: 10, observedQty: 8 }, EMPTY_PEERS, 'genuine_loss', 'count_within_tolerance', (c) => c >= 0.7 && c < 0.9],
    ['a recount agreeing', { kind: 'count_variance', expectedQty: 10, observedQty: 8, reportedQty: 8, recounts: [{ countedQty: 8 }] }, EMPTY_PEERS, 'genuine_loss', 'count_within_tolerance', (c) => c >= 0.95],
    ['counts disagreeing', { kind: 'count_variance', expectedQty: 10, observedQty: 9, reportedQty: 8, recounts: [{ countedQty: 9 }] }, EMPTY_PEERS, 'count_error', 'count_within_tolerance', (c) => c < 0.5],
    ['a WMS/ERP difference no document explains', { expectedQty: 100, observedQty: 90 }, EMPTY_PEERS, 'sync_lag', undefined, (c) => c >= 0.9],
    ['a shrink pattern', { kind: 'shrink_pattern', expectedQty: 10, observedQty: 4 }, EMPTY_PEERS, 'shrink', undefined, () => true],
    ['an impossible scan sequence', { kind: 'mis_scan', expectedQty: 24, observedQty: 20 }, EMPTY_PEERS, 'mis_scan', undefined, () => true],
    // a suspected theft is not written off inside tolerance: people see it
    ['a count short where the counter loses far more than peers', { kind: 'count_variance', expectedQty: 10, observedQty: 4 }, pilferer, 'shrink', undefined, () => true],
    ['WMS balance missing', { kind: 'count_variance', expectedQty: 10, observedQty: 8, evidence: ev({ missing: ['wmsBalance'] }) }, EMPTY_PEERS, 'genuine_loss', 'count_within_tolerance', (c) => c < 0.7],
  ])('%s', (_name, i, peers, cause, rule, bound) => {
    const s = scoreDiscrepancyV2(input(i), peers, PRIOR_MODEL);
    expect(s.scorerVersion).toBe('bayes-v2.0');
    expect(s.rootCauses![0].cause).toBe(cause);
    expect(s.candidateRule).toBe(rule);
    expect(bound(s.confidence)).toBe(true);
    expect(s.topFactors!.length).toBeGreaterThan(0);
    expect(s.explanation).toContain('Most likely');
  });

  it('reads a negative balance as not counted, and its first recount as a single count, not counts disagreeing', () => {
    // the report observes the system's balance (-3); the recount finds the shelf empty
    const before = scoreDiscrepancyV2(input({ kind: 'negative_inventory', expectedQty: 0, observedQty: -3, reportedQty: -3 }), EMPTY_PEERS, PRIOR_MODEL);
    const after = scoreDiscrepancyV2(input({ kind: 'negative_inventory', expectedQty: 0, observedQty: 0, reportedQty: -3, recounts: [{ countedQty: 0 }] }), EMPTY_PEERS, PRIOR_MODEL);
    expect(before.model!.features.counts).toBe('not_counted');
    expect(after.model!.features.counts).toBe('single');
    for (const s of [before, after]) expect(s.rootCauses![0].cause).not.toBe('count_error');
  });

  it('keeps v1 explanations, explained quantities and the rules-v1 version for v1', () => {
    const i = input({ expectedQty: 100, observedQty: 124, evidence: ev({ inbound: [receipt('RC-1', 24)] }) });
    const v1 = scoreDiscrepancy(i);
    const v2 = scoreDiscrepancyV2(i, EMPTY_PEERS, PRIOR_MODEL);
    expect(v1.scorerVersion).toBe('rules-v1');
    expect(v2.causes).toEqual(v1.causes);
    expect(v2.explainedQty).toBe(24);
    expect(v2.explanation).toContain('RC-1');
    expect(v2.topFactors![0]).toContain('open documents explain the whole variance');
  });

  it('names the pilfering user and the robust z-score among the top factors', () => {
    const s = scoreDiscrepancyV2(input({ kind: 'count_variance', expectedQty: 10, observedQty: 4 }), pilferer, PRIOR_MODEL);
    expect(s.topFactors!.join(' ')).toMatch(/user u9's unexplained losses are well above their peers' \(robust z \d/);
    expect(s.recommendedAction).toBe('review');
  });

  it('flags a variance far beyond the location’s history', () => {
    const peers = { ...EMPTY_PEERS, pastVariances: [1, 2, 1, 2, 1] };
    const s = scoreDiscrepancyV2(input({ kind: 'count_variance', expectedQty: 100, observedQty: 60 }), peers, PRIOR_MODEL);
    expect(s.model!.features.varianceZ).toBe('extreme');
  });
});

describe('Platt calibration', () => {
  const many = (raw: number, y: boolean, n: number) => Array.from({ length: n }, () => ({ raw, y }));
  it.each<[string, { raw: number; y: boolean }[], (a: number, b: number) => boolean]>([
    ['no verdicts: the identity', [], (a, b) => a === 1 && b === 0],
    ['an overconfident scorer is pulled down', [...many(0.9, true, 60), ...many(0.9, false, 40)], () => true],
    ['an underconfident scorer is pushed up', [...many(0.6, true, 95), ...many(0.6, false, 5)], () => true],
  ])('%s', (_name, pairs, check) => {
    const c = fitPlatt(pairs);
    expect(check(c.a, c.b)).toBe(true);
    if (pairs.length) {
      const rate = pairs.filter((p) => p.y).length / pairs.length;
      const before = Math.abs(pairs[0].raw - rate);
      // calibrated is closer to the observed rate than the raw confidence was
      expect(Math.abs(calibrate(pairs[0].raw, c) - rate)).toBeLessThan(before);
      expect(brier(pairs.map((p) => ({ p: calibrate(p.raw, c), y: p.y })))).toBeLessThan(brier(pairs.map((p) => ({ p: p.raw, y: p.y }))));
    }
  });

  it('a handful of verdicts moves it only a little (the prior holds)', () => {
    const c = fitPlatt(many(0.8, false, 3));
    expect(calibrate(0.8, c)).toBeLessThan(0.8);
    expect(calibrate(0.8, c)).toBeGreaterThan(0.5);
  });

  it('a reliability table bins predictions and counts how often they came true', () => {
    const table = reliability([{ p: 0.05, y: false }, { p: 0.92, y: true }, { p: 0.97, y: false }], 10);
    expect(table).toHaveLength(10);
    expect(table[0]).toMatchObject({ count: 1, observed: 0 });
    expect(table[9]).toMatchObject({ count: 2, observed: 0.5 });
    expect(calibrate(0.7, IDENTITY)).toBeCloseTo(0.7, 6);
  });
});

describe('fitting from outcomes', () => {
  const countShort: Features = {
    kind: 'count_variance', direction: 'loss', explanation: 'none', document: 'none', counts: 'single',
    varianceZ: 'no_history', velocity: 'idle', userRate: 'unknown', shiftRate: 'unknown', evidence: 'complete',
  };
  it.each<[string, LabelledOutcome[], RootCauseV2, 'up' | 'down']>([
    ['approvals coded THEFT raise shrink', Array.from({ length: 20 }, () => ({ features: countShort, cause: 'shrink' as const, changed: true })), 'shrink', 'up'],
    ['recounts finding the system right raise count_error', Array.from({ length: 20 }, () => ({ features: countShort, cause: 'count_error' as const, changed: false })), 'count_error', 'up'],
    ['confirmed damage lowers count_error', Array.from({ length: 20 }, () => ({ features: countShort, cause: 'genuine_loss' as const, changed: true })), 'count_error', 'down'],
  ])('%s', (_name, outcomes, cause, direction) => {
    const before = posterior(countShort, PRIOR_MODEL)[cause];
    const model = fitModel(outcomes, 7);
    const after = posterior(countShort, model)[cause];
    expect(model.version).toBe(7);
    expect(model.fittedOn).toMatchObject({ outcomes: 20, causeLabels: 20, verdicts: 20 });
    if (direction === 'up') expect(after).toBeGreaterThan(before);
    else expect(after).toBeLessThan(before);
  });

  it('rejections of real-looking variances lower the confidence; the fit reports Brier against the prior', () => {
    const outcomes: LabelledOutcome[] = Array.from({ length: 40 }, (_, i) => ({ features: countShort, changed: i % 2 === 0 }));
    const model = fitModel(outcomes, 1);
    const s = scoreDiscrepancyV2(input({ kind: 'count_variance', expectedQty: 10, observedQty: 8 }), EMPTY_PEERS, model);
    expect(s.confidence).toBeLessThan(scoreDiscrepancyV2(input({ kind: 'count_variance', expectedQty: 10, observedQty: 8 }), EMPTY_PEERS, PRIOR_MODEL).confidence);
    expect(model.metrics!.brier).toBeLessThanOrEqual(model.metrics!.brierPrior);
  });

  it.each<[number, number, boolean]>([
    [0, 0, false],
    [0, 1, true],
    [10, 1, true],
    [40, 1, false],
    [40, 2, true],
    [20_000, 999, false],
    [20_000, 1000, true],
  ])('a model fitted on %i outcomes is refitted after %i more: %s', (fittedOn, since, due) => {
    expect(refitDue(fittedOn, since)).toBe(due);
  });

  it.each<[string, 'real' | 'explained' | 'duplicate', boolean, boolean]>([
    ['a real variance that needed a correction', 'real', true, true],
    ['a real variance rejected', 'real', false, false],
    ['an explained variance closed without change', 'explained', false, true],
    ['an explained variance that still needed a correction', 'explained', true, false],
    ['a duplicate closed without change', 'duplicate', false, true],
  ])('the reading held: %s', (_name, reading, changed, held) => {
    expect(readingHeld(reading, changed)).toBe(held);
  });
});

describe('outcomes of closed cases', () => {
  const features = { kind: 'count_variance' } as unknown as Features;
  const closed = (s: Partial<CaseState>): CaseState =>
    ({
      status: 'closed', approvals: [], shadow: false, report: { kind: 'count_variance' },
      score: { scorerVersion: 'bayes-v2.0', causes: [], rootCauses: [{ cause: 'genuine_loss', probability: 0.6 }], model: { version: 0, reading: 'real', rawConfidence: 0.7, features } },
      ...s,
    }) as unknown as CaseState;
  it.each<[string, Partial<CaseState>, Record<string, unknown>]>([
    ['approved with a cause reason code', { resolution: 'approved_adjusted', approvals: [{ reasonCode: 'THEFT' }] as CaseState['approvals'], adjustment: { adjustmentId: 'A', qty: -2, target: 'both' } }, { truePositive: true, changed: true, confirmedCause: 'shrink', causeSource: 'reason_code' }],
    ['approved with a code naming no cause', { resolution: 'approved_adjusted', approvals: [{ reasonCode: 'CYCLE_COUNT' }] as CaseState['approvals'], adjustment: { adjustmentId: 'A', qty: -2, target: 'both' } }, { truePositive: true, changed: true, confirmedCause: null }],
    ['rejected as a miscount', { resolution: 'rejected_no_change', resolutionCode: 'MISCOUNT' }, { truePositive: false, changed: false, confirmedCause: 'count_error' }],
    ['rejected, no cause', { resolution: 'rejected_no_change', resolutionCode: 'NOT_REAL' }, { truePositive: false, changed: false, confirmedCause: null }],
    ['a recount found the system right', { resolution: 'resolved_by_recount' }, { changed: false, confirmedCause: 'count_error', causeSource: 'recount' }],
    // the report observed the system's negative balance, not a count: the recount found no counting error
    ['a recount at a negative balance: no count was wrong, nothing learnt', { resolution: 'resolved_by_recount', report: { kind: 'negative_inventory' } as CaseState['report'] }, { truePositive: true, changed: null, confirmedCause: null, causeSource: null }],
    ['auto-resolved by a document rule: cause, but no verdict', { resolution: 'auto_resolved', decision: { action: 'auto_resolve', rule: 'explained_by_open_allocation', correction: 'resync', adjustQty: 0, reason: '' } }, { changed: null, confirmedCause: 'open_allocation', causeSource: 'rule' }],
    ['shadow: nothing learnt', { resolution: 'shadowed', shadow: true }, { truePositive: null, changed: null, confirmedCause: null, shadow: true }],
    ['ladder exhausted: no verdict', { resolution: 'escalated_terminal' }, { truePositive: null, changed: null }],
  ])('%s', (_name, s, expected) => {
    expect(outcomeOf(closed(s))).toMatchObject({ predictedCause: 'genuine_loss', features, ...expected });
  });

  it('an open case has no outcome', () => {
    expect(outcomeOf(closed({ status: 'awaiting_approval' }))).toBeNull();
  });
});

describe('policy: scorer choice and shadow mode', () => {
  it.each<[string, Record<string, unknown>, string, boolean]>([
    ['the default: rules-v1, acting everywhere', {}, 'rules-v1', false],
    ['scorer v2 chosen', { scoring: { scorer: 'bayes-v2' } }, 'bayes-v2', false],
    ['shadow everywhere', { shadow: { enabled: true } }, 'rules-v1', true],
    ['shadow everywhere but this site', { shadow: { enabled: true, sites: { DC1: false } } }, 'rules-v1', false],
    ['shadow only at this site', { shadow: { sites: { DC1: true } } }, 'rules-v1', true],
    ['scorer v2 piloted at this site only', { scoring: { sites: { DC1: 'bayes-v2', DC2: 'rules-v1' } } }, 'bayes-v2', false],
    ['scorer v2 everywhere but this site', { scoring: { scorer: 'bayes-v2', sites: { DC1: 'rules-v1' } } }, 'rules-v1', false],
  ])('%s', (_name, extra, scorer, shadow) => {
    const policy = PolicyDocument.parse({ ...TEST_POLICY_INPUT, ...extra });
    expect(scorerOf(policy, 'DC1')).toBe(scorer);
    expect(isShadow(policy, 'DC1')).toBe(shadow);
  });

  it('a policy pinned before these fields existed keeps rules-v1 and acts', () => {
    expect(scorerOf({} as PolicyDocument, 'DC1')).toBe('rules-v1');
    expect(isShadow({} as PolicyDocument, 'DC1')).toBe(false);
  });

  it.each<[string, Parameters<typeof describeShadowDecision>[0], string]>([
    ['an adjustment', { action: 'auto_resolve', rule: 'count_within_tolerance', correction: 'adjust', adjustQty: -2, reason: '' }, 'would have posted an adjustment of -2 (rule count_within_tolerance)'],
    ['a resync', { action: 'auto_resolve', rule: 'explained_by_open_allocation', correction: 'resync', adjustQty: 0, reason: '' }, 'would have closed it without an adjustment, the systems resyncing (rule explained_by_open_allocation)'],
    ['a recount', { action: 'recount', reason: '' }, 'would have created a count task for a recount'],
    ['a hold', { action: 'hold_then_review', reason: '' }, 'would have held 40 and asked ops_manager to decide'],
    ['a review', { action: 'review', reason: '' }, 'would have asked ops_manager to decide'],
  ])('says what shadow mode would have done: %s', (_name, d, text) => {
    expect(describeShadowDecision(d, { variance: -40, firstRole: 'ops_manager' })).toBe(text);
  });
});
