import {
  DEFAULT_POLICY,
  DiscrepancyReport,
  assess,
  decide,
  scoreDiscrepancy,
  type AutoRuleName,
  type DecideInput,
  type Decision,
  type DiscrepancyReportInput,
  type PolicyDocument,
  type RecommendedAction,
  type Score,
  type ToleranceOverride,
} from '../../src/domain';

const P = DEFAULT_POLICY;
const rule = (name: AutoRuleName) => P.autoResolution.rules.find((r) => r.name === name)!;
const { highFromValue: HIGH, criticalFromValue: CRIT } = P.severity;

function rep(r: Partial<DiscrepancyReportInput> = {}): DiscrepancyReport {
  return DiscrepancyReport.parse({
    kind: 'count_variance',
    site: 'DC1',
    sku: 'SKU-1',
    location: 'A-01-03',
    expectedQty: 100,
    observedQty: 90,
    unitCost: 1,
    skuClass: 'C',
    source: 'wms',
    ...r,
  });
}

function policy(edit: (p: PolicyDocument) => void = () => undefined): PolicyDocument {
  const p = structuredClone(P);
  edit(p);
  return p;
}

function score(s: Partial<Score> = {}): Score {
  return {
    scorerVersion: 'test',
    causes: [],
    confidence: 0.5,
    explainedQty: 0,
    unexplainedQty: 0,
    fullyExplained: false,
    recommendedAction: 'review',
    explanation: 'test explanation',
    priority: 0,
    ...s,
  };
}

/** Runs assess and decide on the report's own quantities (or the recount's). */
function run(o: {
  report: DiscrepancyReport;
  score: Score;
  policy?: PolicyDocument;
  recountsDone?: number;
  observedQty?: number;
  autoResolveAllowed?: boolean;
}): Decision {
  const pol = o.policy ?? P;
  const quantities = { expectedQty: o.report.expectedQty, observedQty: o.observedQty ?? o.report.observedQty };
  const input: DecideInput = {
    policy: pol,
    report: o.report,
    quantities,
    assessment: assess(pol, o.report, quantities),
    score: o.score,
    recountsDone: o.recountsDone ?? 0,
    autoResolveAllowed: o.autoResolveAllowed,
  };
  return decide(input);
}

const resync = (candidateRule: AutoRuleName, confidence: number) =>
  score({ candidateRule, confidence, recommendedAction: 'resync', fullyExplained: true });

describe('assess', () => {
  it.each<[string, Partial<DiscrepancyReportInput>, number | undefined, { variance: number; value: number; within: boolean; severity: string }]>([
    // class C: 5% or 10 units, at most 500 in value
    ['10 short of 100 at 1 each (units limit)', { expectedQty: 100, observedQty: 90, unitCost: 1 }, undefined, { variance: 90 - 100, value: 10 * 1, within: true, severity: 'info' }],
    ['11 short of 100 (over 10 units and 5%)', { expectedQty: 100, observedQty: 89, unitCost: 1 }, undefined, { variance: -11, value: 11, within: false, severity: 'review' }],
    ['40 short of 1000 (4% inside 5%)', { expectedQty: 1000, observedQty: 960, unitCost: 1 }, undefined, { variance: -40, value: 40, within: true, severity: 'info' }],
    ['10 short at 51 each (510 over the 500 value limit)', { expectedQty: 100, observedQty: 90, unitCost: 51 }, undefined, { variance: -10, value: 10 * 51, within: false, severity: 'review' }],
    ['100 short at 25 each (2500: high)', { expectedQty: 200, observedQty: 100, unitCost: 25 }, undefined, { variance: -100, value: 100 * 25, within: false, severity: 'high' }],
    ['1000 short at 25 each (25000: critical)', { expectedQty: 2000, observedQty: 1000, unitCost: 25 }, undefined, { variance: -1000, value: 1000 * 25, within: false, severity: 'critical' }],
    // class A: 1% or 2 units, at most 100
    ['class A, 3 short of 100', { skuClass: 'A', expectedQty: 100, observedQty: 97, unitCost: 1 }, undefined, { variance: -3, value: 3, within: false, severity: 'review' }],
    // receiving has no quantity tolerance in the default policy
    ['receiving, 1 short of an ASN of 100', { kind: 'receiving_variance', expectedQty: 100, observedQty: 99, unitCost: 1 }, undefined, { variance: -1, value: 1, within: false, severity: 'review' }],
    // negative stock is never inside tolerance, and at least high
    ['negative stock of 1', { kind: 'negative_inventory', expectedQty: 0, observedQty: -1, unitCost: 1 }, undefined, { variance: -1, value: 1, within: false, severity: 'high' }],
    // the recount replaces the observation
    ['a recount of 99 replaces an observation of 80', { expectedQty: 100, observedQty: 80, unitCost: 1 }, 99, { variance: 99 - 100, value: 1, within: true, severity: 'info' }],
    ['fractional: 10.3 kg against 10', { uom: 'KG', expectedQty: 10, observedQty: 10.3, unitCost: 10 }, undefined, { variance: 0.3, value: 0.3 * 10, within: true, severity: 'info' }],
  ])('%s', (_name, r, recount, want) => {
    const report = rep(r);
    const a = assess(P, report, { expectedQty: report.expectedQty, observedQty: recount ?? report.observedQty });
    expect(a.variance).toBe(want.variance);
    expect(a.valueAtRisk).toBeCloseTo(want.value, 2);
    expect(a.tolerance.within).toBe(want.within);
    expect(a.severity).toBe(want.severity);
  });

  it.each<[string, ToleranceOverride, boolean]>([
    ['a zone override from the location (zone A)', { zone: 'A', units: 20 }, true],
    ['a zone override for another zone', { zone: 'B', units: 20 }, false],
    ['a site override', { site: 'DC1', pct: 20 }, true],
    ['a site override for another site', { site: 'DC2', pct: 20 }, false],
    ['a process override for counting (the kind’s process)', { process: 'counting', units: 20 }, true],
    ['a class override', { skuClass: 'C', units: 20 }, true],
  ])('uses the scope of the report: %s', (_name, override, within) => {
    // 15 short of 100: outside class C (10 units, 5%), inside 20 units or 20%
    const pol = policy((p) => (p.tolerances.overrides = [override]));
    const report = rep({ expectedQty: 100, observedQty: 85 });
    expect(assess(pol, report, report).tolerance.within).toBe(within);
  });
});

describe('decide: auto-resolution by each named rule', () => {
  // value at risk = |variance| × unitCost; each rule is tried exactly at its limits
  it.each<[AutoRuleName, RecommendedAction, Partial<DiscrepancyReportInput>]>([
    ['explained_by_open_allocation', 'resync', { kind: 'system_mismatch', expectedQty: 100, observedQty: 90, unitCost: rule('explained_by_open_allocation').maxValue / 10 }],
    ['explained_by_unposted_receipt', 'resync', { kind: 'system_mismatch', expectedQty: 100, observedQty: 124, unitCost: rule('explained_by_unposted_receipt').maxValue / 24 }],
    ['explained_by_transfer_in_transit', 'resync', { kind: 'transfer_delay', expectedQty: 30, observedQty: 0, unitCost: rule('explained_by_transfer_in_transit').maxValue / 30 }],
    ['explained_by_return_without_disposition', 'resync', { kind: 'return_unposted', expectedQty: 0, observedQty: 4, unitCost: rule('explained_by_return_without_disposition').maxValue / 4 }],
    ['explained_by_pending_transactions', 'resync', { kind: 'system_mismatch', expectedQty: 100, observedQty: 127, unitCost: rule('explained_by_pending_transactions').maxValue / 27 }],
    ['duplicate_event', 'suppress', { kind: 'count_variance', expectedQty: 1000, observedQty: 0, unitCost: rule('duplicate_event').maxValue / 1000 }],
  ])('%s closes at its minimum confidence and maximum value (%s, no adjustment)', (name, action, r) => {
    const report = rep(r);
    const d = run({ report, score: score({ candidateRule: name, confidence: rule(name).minConfidence, recommendedAction: action, fullyExplained: true }) });
    expect(d).toEqual({ action: 'auto_resolve', rule: name, correction: action, adjustQty: 0, reason: 'test explanation' });
  });

  it.each<[string, Partial<DiscrepancyReportInput>, number]>([
    // count_within_tolerance: class C (10 units / 5% / 500); rule max value 500, min confidence 0.7
    ['10 short at 50 each: value 500 = both limits', { expectedQty: 100, observedQty: 90, unitCost: 50 }, 90 - 100],
    ['3 over at 1 each', { expectedQty: 100, observedQty: 103, unitCost: 1 }, 103 - 100],
    ['40 short of 1000 (4%)', { expectedQty: 1000, observedQty: 960, unitCost: 1 }, 960 - 1000],
  ])('count_within_tolerance posts the variance as the adjustment: %s', (_name, r, adjustQty) => {
    const d = run({ report: rep(r), score: score({ candidateRule: 'count_within_tolerance', confidence: rule('count_within_tolerance').minConfidence, recommendedAction: 'adjust' }) });
    expect(d).toMatchObject({ action: 'auto_resolve', rule: 'count_within_tolerance', correction: 'adjust', adjustQty });
  });

  it.each(['shrink_pattern', 'drift'] as const)('count_within_tolerance never posts a %s back, even inside tolerance: it goes to people', (kind) => {
    const d = run({ report: rep({ kind, expectedQty: 100, observedQty: 97, unitCost: 1 }), score: score({ candidateRule: 'count_within_tolerance', confidence: 0.99, recommendedAction: 'adjust' }) });
    expect(d.action).not.toBe('auto_resolve');
  });

  it('count_within_tolerance adjusts by the recounted variance, not the first observation', () => {
    // first seen 80 (beyond tolerance), recount 97: adjust by 97 − 100
    const d = run({ report: rep({ observedQty: 80 }), observedQty: 97, recountsDone: 1, score: score({ candidateRule: 'count_within_tolerance', confidence: 0.95, recommendedAction: 'adjust' }) });
    expect(d).toMatchObject({ action: 'auto_resolve', correction: 'adjust', adjustQty: 97 - 100 });
  });

  it('with the real scorer: a count short by exactly an open pick resyncs', () => {
    const report = rep({ expectedQty: 40, observedQty: 32, unitCost: 5 });
    const s = scoreDiscrepancy({
      kind: report.kind,
      expectedQty: 40,
      observedQty: 32,
      unitCost: 5,
      sourceEventIds: [],
      recounts: [],
      evidence: { missing: [], openAllocations: [{ id: 'AL-1', orderId: 'SO-1', qty: 8, pickedQty: 8, issuedInErp: false }] },
    });
    expect(run({ report, score: s })).toMatchObject({ action: 'auto_resolve', rule: 'explained_by_open_allocation', correction: 'resync', adjustQty: 0 });
  });
});

describe('decide: when a rule may not close the case', () => {
  // system_mismatch, 10 short at 100 each → 1000 in value (review severity… beyond tolerance: review)
  const mismatch = rep({ kind: 'system_mismatch', expectedQty: 100, observedQty: 90, unitCost: 100 });
  const alloc = rule('explained_by_open_allocation'); // min 0.8, max 10000

  it.each<[string, Parameters<typeof run>[0]]>([
    ['over the rule’s maximum value by a cent', { report: rep({ kind: 'system_mismatch', expectedQty: 100, observedQty: 90, unitCost: (alloc.maxValue + 0.01) / 10 }), score: resync(alloc.name, 0.99) }],
    ['under the rule’s minimum confidence', { report: mismatch, score: resync(alloc.name, alloc.minConfidence - 0.001) }],
    ['the rule disabled in the policy', { report: mismatch, score: resync(alloc.name, 0.99), policy: policy((p) => (p.autoResolution.rules.find((r) => r.name === alloc.name)!.enabled = false)) }],
    ['the rule absent from the policy', { report: mismatch, score: resync(alloc.name, 0.99), policy: policy((p) => (p.autoResolution.rules = p.autoResolution.rules.filter((r) => r.name !== alloc.name))) }],
    ['auto-resolution not allowed (shadow mode)', { report: mismatch, score: resync(alloc.name, 0.99), autoResolveAllowed: false }],
    ['resync recommended but not fully explained', { report: mismatch, score: score({ candidateRule: alloc.name, confidence: 0.99, recommendedAction: 'resync', fullyExplained: false }) }],
    ['no candidate rule', { report: mismatch, score: score({ confidence: 0.99, recommendedAction: 'review' }) }],
    ['count rule outside tolerance (11 short of 100)', { report: rep({ expectedQty: 100, observedQty: 89 }), score: score({ candidateRule: 'count_within_tolerance', confidence: 0.99, recommendedAction: 'adjust' }) }],
    ['count rule over its maximum value (inside a looser tolerance)', {
      report: rep({ expectedQty: 100, observedQty: 90, unitCost: 60 }), // 600 > 500
      policy: policy((p) => (p.tolerances.byClass.C.value = 1000)),
      score: score({ candidateRule: 'count_within_tolerance', confidence: 0.99, recommendedAction: 'adjust' }),
    }],
    ['count rule under its minimum confidence (counts disagree)', { report: rep({ expectedQty: 100, observedQty: 95 }), recountsDone: 1, score: score({ candidateRule: 'count_within_tolerance', confidence: 0.5, recommendedAction: 'adjust' }) }],
    ['duplicate under its minimum confidence', { report: mismatch, score: score({ candidateRule: 'duplicate_event', confidence: 0.9, recommendedAction: 'suppress', fullyExplained: true }) }],
  ])('%s → no auto-resolution', (_name, o) => {
    expect(run(o).action).not.toBe('auto_resolve');
  });
});

describe('decide: recount, hold, review', () => {
  const beyond = { candidateRule: 'count_within_tolerance' as const, confidence: 0.75, recommendedAction: 'recount' as const };

  it.each<[string, Parameters<typeof run>[0], Decision['action']]>([
    // a recount that found the system right closes the case
    ['recount found the system right', { report: rep({ observedQty: 80 }), observedQty: 100, recountsDone: 1, score: score(beyond) }, 'resolved_by_recount'],
    ['recount found the system right, even for a critical value', { report: rep({ observedQty: 0, unitCost: CRIT }), observedQty: 100, recountsDone: 1, score: score(beyond) }, 'resolved_by_recount'],
    // critical stops the line before any recount
    ['critical value (25000), recounts left', { report: rep({ expectedQty: 1100, observedQty: 100, unitCost: CRIT / 1000 }), score: score(beyond) }, 'hold_then_review'],
    ['critical value beyond every rule’s limit, even fully explained', { report: rep({ kind: 'system_mismatch', expectedQty: 100_000, observedQty: 50_000, unitCost: 1 }), score: resync('explained_by_open_allocation', 0.99) }, 'hold_then_review'],
    // recount when the kind is recountable, the location is known and recounts are left
    ['count variance beyond tolerance, first time', { report: rep({ observedQty: 80 }), score: score(beyond) }, 'recount'],
    ['high value (2500) beyond tolerance', { report: rep({ expectedQty: 200, observedQty: 100, unitCost: HIGH / 100 }), score: score(beyond) }, 'recount'],
    ['negative inventory', { report: rep({ kind: 'negative_inventory', expectedQty: 0, observedQty: -5 }), score: score(beyond) }, 'recount'],
    ['phantom stock', { report: rep({ kind: 'phantom_stock', expectedQty: 10, observedQty: 0 }), score: score({ confidence: 0.5 }) }, 'recount'],
    ['system mismatch, unexplained', { report: rep({ kind: 'system_mismatch', observedQty: 80 }), score: score({ confidence: 0.5 }) }, 'recount'],
    ['second automatic recount allowed by the policy', { report: rep({ observedQty: 80 }), observedQty: 85, recountsDone: 1, policy: policy((p) => (p.recounts.automatic = 2)), score: score(beyond) }, 'recount'],
    // otherwise a person decides
    ['recounts used up', { report: rep({ observedQty: 80 }), observedQty: 85, recountsDone: 1, score: score(beyond) }, 'review'],
    ['no automatic recounts in the policy', { report: rep({ observedQty: 80 }), policy: policy((p) => (p.recounts.automatic = 0)), score: score(beyond) }, 'review'],
    ['no location to count', { report: rep({ observedQty: 80, location: undefined }), score: score(beyond) }, 'review'],
    ['receiving variance at its dock (the default policy counts it)', { report: rep({ kind: 'receiving_variance', observedQty: 80, location: 'DOCK-1' }), score: score({ confidence: 0.5 }) }, 'recount'],
    ['mis-scan at the bin', { report: rep({ kind: 'mis_scan', observedQty: 80 }), score: score({ confidence: 0.5 }) }, 'recount'],
    ['a kind a count cannot settle (a transfer in flight)', { report: rep({ kind: 'transfer_delay', observedQty: 80 }), score: score({ confidence: 0.5 }) }, 'review'],
    ['a kind a count cannot settle (an unposted return)', { report: rep({ kind: 'return_unposted', observedQty: 80 }), score: score({ confidence: 0.5 }) }, 'review'],
    ['a kind removed from recount kinds', { report: rep({ observedQty: 80 }), policy: policy((p) => (p.recounts.kinds = ['negative_inventory'])), score: score(beyond) }, 'review'],
    ['shadow mode, inside tolerance, recounts used up', { report: rep({ observedQty: 95 }), recountsDone: 1, autoResolveAllowed: false, score: score({ ...beyond, confidence: 0.95 }) }, 'review'],
  ])('%s → %s', (_name, o, action) => {
    expect(run(o).action).toBe(action);
  });

  it('explains itself: the recount says which one, the review carries the scorer’s words', () => {
    const rc = run({ report: rep({ observedQty: 80 }), policy: policy((p) => (p.recounts.automatic = 3)), recountsDone: 1, observedQty: 82, score: score(beyond) });
    expect(rc.reason).toContain('automatic recount 2 of 3');
    const rv = run({ report: rep({ kind: 'transfer_delay', observedQty: 80 }), score: score({ explanation: 'nothing explains 20' }) });
    expect(rv.reason).toContain('nothing explains 20');
  });
});

describe('evidence at the bin holds back an automatic adjustment', () => {
  const within = { candidateRule: 'count_within_tolerance' as const, confidence: 0.9, recommendedAction: 'adjust' as const };
  const holdBack = 'not adjusted automatically: the bin has 1 other open case in the last 14 days, so this variance may be part of something bigger';

  it('a variance inside tolerance is adjusted without it, and goes to a person with it, saying why', () => {
    expect(run({ report: rep({ expectedQty: 40, observedQty: 39 }), score: score(within) })).toMatchObject({ action: 'auto_resolve', correction: 'adjust', adjustQty: -1 });
    expect(run({ report: rep({ expectedQty: 40, observedQty: 39 }), score: score({ ...within, holdBack }) })).toEqual({ action: 'review', reason: `variance -1 is inside tolerance, but ${holdBack}` });
    // after a recount as well
    expect(run({ report: rep({ expectedQty: 40, observedQty: 20 }), observedQty: 39, recountsDone: 1, score: score({ ...within, holdBack }) })).toMatchObject({ action: 'review' });
  });

  it('leaves what is beyond tolerance and explained resyncs as they were', () => {
    expect(run({ report: rep({ expectedQty: 100, observedQty: 80 }), score: score({ holdBack }) })).toMatchObject({ action: 'recount' });
    const explained = { ...resync('explained_by_open_allocation', 0.95), holdBack };
    expect(run({ report: rep({ kind: 'system_mismatch', expectedQty: 100, observedQty: 95 }), score: explained })).toMatchObject({ action: 'auto_resolve', correction: 'resync' });
  });
});
