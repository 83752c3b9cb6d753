import {
  SCORER_VERSION,
  scoreDiscrepancy,
  type AllocationEvidence,
  type AutoRuleName,
  type Evidence,
  type InboundEvidence,
  type ReturnEvidence,
  type RootCause,
  type ScoreInput,
  type TransferEvidence,
} from '../../src/domain';

// ---- evidence builders: one open document each ---------------------------------------------
const receipt = (id: string, receivedQty: number, postedToErp = false): InboundEvidence => ({
  docKind: 'receipt',
  id,
  expectedQty: receivedQty,
  receivedQty,
  postedToErp,
});
const allocation = (orderId: string, pickedQty: number, issuedInErp = false): AllocationEvidence => ({
  id: `AL-${orderId}`,
  orderId,
  qty: pickedQty,
  pickedQty,
  issuedInErp,
});
const transfer = (id: string, qty: number, direction: 'outbound' | 'inbound', receivedInWms = false): TransferEvidence => ({
  id,
  fromSite: direction === 'outbound' ? 'DC1' : 'DC2',
  toSite: direction === 'outbound' ? 'DC2' : 'DC1',
  qty,
  shippedAt: '2026-11-20T10:00:00Z',
  eta: '2026-11-21T10:00:00Z',
  direction,
  receivedInWms,
});
const ret = (id: string, qty: number, dispositioned = false): ReturnEvidence => ({ id, qty, receivedAt: '2026-11-21T10:00:00Z', dispositioned });

const ev = (e: Partial<Evidence> = {}): Evidence => ({ wmsBalance: { qty: 0, heldQty: 0 }, erpOnHand: { qty: 0 }, missing: [], ...e });

function input(i: Partial<ScoreInput>): ScoreInput {
  return { kind: 'system_mismatch', expectedQty: 100, observedQty: 100, unitCost: 10, sourceEventIds: ['E1'], recounts: [], evidence: ev(), ...i };
}

// confidences the scorer v1 assigns to each named explanation
const C = { receipt: 0.95, allocation: 0.9, transfer: 0.9, return: 0.85, duplicate: 0.98, single: 0.75, confirmed: 0.95, contradicted: 0.5, unexplained: 0.5, missingFactor: 0.6 };

describe('scoreDiscrepancy: variance fully explained by one open document (WMS = observed, ERP = expected)', () => {
  it.each<[string, Partial<ScoreInput>, RootCause, AutoRuleName, number, number]>([
    // name, input, cause, rule, explained qty (signed), confidence
    ['receipt in the WMS not posted to the ERP', { expectedQty: 100, observedQty: 124, evidence: ev({ inbound: [receipt('RC-1', 24)] }) }, 'unposted_receipt', 'explained_by_unposted_receipt', 124 - 100, C.receipt],
    ['two unposted receipts adding up', { expectedQty: 100, observedQty: 130, evidence: ev({ inbound: [receipt('RC-1', 20), receipt('RC-2', 10)] }) }, 'unposted_receipt', 'explained_by_unposted_receipt', 20 + 10, C.receipt],
    ['picked for an order, not yet issued in the ERP', { expectedQty: 100, observedQty: 90, evidence: ev({ openAllocations: [allocation('SO-1', 10)] }) }, 'open_allocation', 'explained_by_open_allocation', 90 - 100, C.allocation],
    ['picked for two orders', { expectedQty: 100, observedQty: 85, evidence: ev({ openAllocations: [allocation('SO-1', 10), allocation('SO-2', 5)] }) }, 'open_allocation', 'explained_by_open_allocation', -(10 + 5), C.allocation],
    ['shipped on an outbound transfer, ERP not yet', { expectedQty: 100, observedQty: 70, evidence: ev({ transfersInTransit: [transfer('TR-1', 30, 'outbound')] }) }, 'transfer_in_transit', 'explained_by_transfer_in_transit', -30, C.transfer],
    ['inbound transfer received in the WMS, ERP not yet', { expectedQty: 0, observedQty: 12, evidence: ev({ transfersInTransit: [transfer('TR-2', 12, 'inbound', true)] }) }, 'transfer_in_transit', 'explained_by_transfer_in_transit', 12, C.transfer],
    ['a late transfer (transfer_delay kind)', { kind: 'transfer_delay', expectedQty: 30, observedQty: 0, evidence: ev({ transfersInTransit: [transfer('TR-3', 30, 'outbound')] }) }, 'transfer_in_transit', 'explained_by_transfer_in_transit', -30, C.transfer],
    ['return received without a disposition', { expectedQty: 50, observedQty: 53, evidence: ev({ returnsPending: [ret('RMA-1', 3)] }) }, 'return_without_disposition', 'explained_by_return_without_disposition', 3, C.return],
    ['a return_unposted case', { kind: 'return_unposted', expectedQty: 0, observedQty: 4, evidence: ev({ returnsPending: [ret('RMA-2', 4)] }) }, 'return_without_disposition', 'explained_by_return_without_disposition', 4, C.return],
    ['a count short by exactly what was picked', { kind: 'count_variance', expectedQty: 40, observedQty: 32, evidence: ev({ openAllocations: [allocation('SO-9', 8)] }) }, 'open_allocation', 'explained_by_open_allocation', -8, C.allocation],
    ['fractional units (KG): 10.3 on hand, 0.3 unposted', { expectedQty: 10, observedQty: 10.3, evidence: ev({ inbound: [receipt('RC-K', 0.3)] }) }, 'unposted_receipt', 'explained_by_unposted_receipt', 0.3, C.receipt],
    ['fractional units (KG): 0.1 + 0.2 picked', { expectedQty: 5, observedQty: 4.7, evidence: ev({ openAllocations: [allocation('SO-A', 0.1), allocation('SO-B', 0.2)] }) }, 'open_allocation', 'explained_by_open_allocation', -0.3, C.allocation],
  ])('%s', (_name, i, cause, rule, explainedQty, confidence) => {
    const s = scoreDiscrepancy(input(i));
    expect(s.fullyExplained).toBe(true);
    expect(s.explainedQty).toBeCloseTo(explainedQty, 9);
    expect(s.unexplainedQty).toBe(0);
    expect(s.confidence).toBeCloseTo(confidence, 9);
    expect(s.recommendedAction).toBe('resync');
    expect(s.candidateRule).toBe(rule);
    expect(s.causes.map((c) => c.cause)).toEqual([cause]);
    expect(s.causes[0].rule).toBe(rule);
    // one cause explaining all of it carries the whole confidence
    expect(s.causes[0].probability).toBeCloseTo(confidence, 3);
    expect(s.explanation).toMatch(/fully explained/);
    expect(s.explanation).toMatch(/No adjustment is needed/);
  });

  it('two different documents together: pending transactions, the least sure one bounds the confidence', () => {
    // +24 receipt and +3 return explain +27
    const s = scoreDiscrepancy(input({ expectedQty: 100, observedQty: 127, evidence: ev({ inbound: [receipt('RC-1', 24)], returnsPending: [ret('RMA-1', 3)] }) }));
    const confidence = Math.min(C.receipt, C.return);
    expect(s.fullyExplained).toBe(true);
    expect(s.candidateRule).toBe('explained_by_pending_transactions');
    expect(s.recommendedAction).toBe('resync');
    expect(s.confidence).toBeCloseTo(confidence, 9);
    // probabilities split by share of the variance, largest first
    expect(s.causes.map((c) => [c.cause, c.probability])).toEqual([
      ['unposted_receipt', Math.round((24 / 27) * confidence * 1000) / 1000],
      ['return_without_disposition', Math.round((3 / 27) * confidence * 1000) / 1000],
    ]);
    expect(s.explanation).toContain('RC-1');
    expect(s.explanation).toContain('RMA-1');
  });
});

describe('scoreDiscrepancy: documents that explain nothing are not used', () => {
  it.each<[string, Partial<ScoreInput>]>([
    ['a receipt already posted to the ERP', { expectedQty: 100, observedQty: 124, evidence: ev({ inbound: [receipt('RC-1', 24, true)] }) }],
    ['an ASN (not a receipt)', { expectedQty: 100, observedQty: 124, evidence: ev({ inbound: [{ docKind: 'asn', id: 'ASN-1', expectedQty: 24, receivedQty: 24, postedToErp: false }] }) }],
    ['a receipt with nothing received', { expectedQty: 100, observedQty: 124, evidence: ev({ inbound: [receipt('RC-1', 0)] }) }],
    ['an allocation already issued in the ERP', { expectedQty: 100, observedQty: 90, evidence: ev({ openAllocations: [allocation('SO-1', 10, true)] }) }],
    ['an allocation not picked yet', { expectedQty: 100, observedQty: 90, evidence: ev({ openAllocations: [allocation('SO-1', 0)] }) }],
    ['an inbound transfer not received in the WMS', { expectedQty: 0, observedQty: 12, evidence: ev({ transfersInTransit: [transfer('TR-2', 12, 'inbound', false)] }) }],
    ['a return already dispositioned', { expectedQty: 50, observedQty: 53, evidence: ev({ returnsPending: [ret('RMA-1', 3, true)] }) }],
    // the wrong direction: each would widen the gap
    ['an unposted receipt against a shortage', { expectedQty: 100, observedQty: 90, evidence: ev({ inbound: [receipt('RC-1', 10)] }) }],
    ['a picked allocation against an overage', { expectedQty: 100, observedQty: 110, evidence: ev({ openAllocations: [allocation('SO-1', 10)] }) }],
    ['an outbound transfer against an overage', { expectedQty: 100, observedQty: 130, evidence: ev({ transfersInTransit: [transfer('TR-1', 30, 'outbound')] }) }],
    ['a pending return against a shortage', { expectedQty: 50, observedQty: 47, evidence: ev({ returnsPending: [ret('RMA-1', 3)] }) }],
    // explanations that do not apply to the kind
    ['a pending return on a receiving variance', { kind: 'receiving_variance', expectedQty: 50, observedQty: 53, evidence: ev({ returnsPending: [ret('RMA-1', 3)] }) }],
    ['a transfer on a receiving variance', { kind: 'receiving_variance', expectedQty: 100, observedQty: 70, evidence: ev({ transfersInTransit: [transfer('TR-1', 30, 'outbound')] }) }],
    ['an allocation on a return_unposted case', { kind: 'return_unposted', expectedQty: 10, observedQty: 0, evidence: ev({ openAllocations: [allocation('SO-1', 10)] }) }],
  ])('%s → unexplained, for a person to review', (_name, i) => {
    const s = scoreDiscrepancy(input(i));
    const variance = i.observedQty! - i.expectedQty!;
    expect(s.fullyExplained).toBe(false);
    expect(s.explainedQty).toBe(0);
    expect(s.unexplainedQty).toBe(variance);
    expect(s.causes.map((c) => c.cause)).toEqual(['unexplained']);
    expect(s.causes[0].explainedQty).toBe(variance);
    expect(s.confidence).toBe(C.unexplained);
    expect(s.recommendedAction).toBe('review');
    expect(s.candidateRule).toBeUndefined();
  });

  it('a document pulling the wrong way is ignored while the right one explains it all', () => {
    // shortage of 10: the picked allocation (−10) explains it; the unposted receipt (+5) would widen it
    const s = scoreDiscrepancy(input({ expectedQty: 100, observedQty: 90, evidence: ev({ openAllocations: [allocation('SO-1', 10)], inbound: [receipt('RC-1', 5)] }) }));
    expect(s.fullyExplained).toBe(true);
    expect(s.candidateRule).toBe('explained_by_open_allocation');
    expect(s.causes.map((c) => c.cause)).toEqual(['open_allocation']);
  });
});

describe('scoreDiscrepancy: partly explained', () => {
  it('a mismatch partly explained leaves the rest to a person', () => {
    // +30 on the WMS, receipt explains +24, 6 remain
    const s = scoreDiscrepancy(input({ expectedQty: 100, observedQty: 130, evidence: ev({ inbound: [receipt('RC-1', 24)] }) }));
    expect(s.fullyExplained).toBe(false);
    expect(s.explainedQty).toBe(24);
    expect(s.unexplainedQty).toBe(30 - 24);
    expect(s.recommendedAction).toBe('review');
    expect(s.candidateRule).toBeUndefined();
    expect(s.confidence).toBe(C.unexplained);
    expect(Object.fromEntries(s.causes.map((c) => [c.cause, c.probability]))).toEqual({
      unposted_receipt: (24 / 30) * C.unexplained,
      unexplained: (6 / 30) * C.unexplained,
    });
    expect(s.explanation).toMatch(/^Variance of 30 \(300 at cost\)/); // 30 × 10
  });

  it('explanations larger than the variance do not count as fully explaining it', () => {
    // −10 variance, −15 picked: the pick would predict a different gap, so it explains none of it
    const s = scoreDiscrepancy(input({ expectedQty: 100, observedQty: 90, evidence: ev({ openAllocations: [allocation('SO-1', 15)] }) }));
    expect(s.fullyExplained).toBe(false);
    expect(s.recommendedAction).toBe('review');
    expect(s.explainedQty).toBe(0);
    expect(s.unexplainedQty).toBe(-10);
  });

  it('of documents that together overshoot the variance, those that fit explain it', () => {
    // −10 variance: −10 picked fits, the −5 outbound transfer on top would overshoot
    const s = scoreDiscrepancy(
      input({ expectedQty: 100, observedQty: 90, evidence: ev({ openAllocations: [allocation('SO-1', 10)], transfersInTransit: [transfer('TR-1', 5, 'outbound')] }) }),
    );
    expect(s.fullyExplained).toBe(true);
    expect(s.candidateRule).toBe('explained_by_open_allocation');
    expect(s.causes.map((c) => c.cause)).toEqual(['open_allocation']);
  });

  it('a count partly explained by a pick: the rest is a count variance to recount', () => {
    // count 88 against 100: 10 picked not issued, 2 missing on the shelf
    const s = scoreDiscrepancy(input({ kind: 'count_variance', expectedQty: 100, observedQty: 88, evidence: ev({ openAllocations: [allocation('SO-1', 10)] }) }));
    expect(s.fullyExplained).toBe(false);
    expect(s.explainedQty).toBe(-10);
    expect(s.unexplainedQty).toBe(-12 - -10);
    expect(s.candidateRule).toBe('count_within_tolerance');
    expect(s.recommendedAction).toBe('recount');
    expect(s.confidence).toBe(C.single);
    const count = s.causes.find((c) => c.rule === 'count_within_tolerance')!;
    expect(count.explainedQty).toBe(-2);
    expect(count.explanation).toMatch(/^2 missing/);
    expect(s.causes.find((c) => c.cause === 'open_allocation')!.probability).toBeCloseTo((10 / 12) * C.single, 3);
  });
});

describe('scoreDiscrepancy: count confidence from the count chain', () => {
  // expected 100 in the system; the report counted `reportedQty`; recounts follow; observedQty is the latest
  it.each<[string, number | undefined, number[], number, RootCause, 'recount' | 'adjust', RegExp]>([
    ['a single count', 90, [], C.single, 'confirmed_count_variance', 'recount', /single count/],
    ['a single count, first count not passed', undefined, [], C.single, 'confirmed_count_variance', 'recount', /single count/],
    ['a recount agreeing with the first count', 90, [90], C.confirmed, 'confirmed_count_variance', 'adjust', /confirmed by 2 counts agreeing on 90/],
    ['a recount contradicting the first count', 90, [95], C.contradicted, 'possible_miscount', 'adjust', /counts disagree \(90 then 95\)/],
    ['two recounts agreeing after a contradiction', 90, [95, 95], C.confirmed, 'confirmed_count_variance', 'adjust', /confirmed by 3 counts agreeing on 95/],
    ['two recounts disagreeing', 90, [95, 97], C.contradicted, 'possible_miscount', 'adjust', /counts disagree \(95 then 97\)/],
    ['fractional counts agreeing', 90.3, [90.3], C.confirmed, 'confirmed_count_variance', 'adjust', /agreeing on 90.30/],
    // without the first count a single recount cannot be checked: one reading, not a confirmation
    ['a recount when the first count is unknown', undefined, [95], C.single, 'confirmed_count_variance', 'adjust', /could not be compared/],
  ])('%s', (_name, reportedQty, counts, confidence, cause, action, text) => {
    const observedQty = counts.length ? counts[counts.length - 1] : (reportedQty ?? 90);
    const s = scoreDiscrepancy(
      input({ kind: 'count_variance', expectedQty: 100, observedQty, reportedQty, recounts: counts.map((countedQty) => ({ countedQty })) }),
    );
    expect(s.confidence).toBe(confidence);
    expect(s.recommendedAction).toBe(action);
    expect(s.candidateRule).toBe('count_within_tolerance');
    expect(s.causes).toHaveLength(1);
    expect(s.causes[0].cause).toBe(cause);
    expect(s.causes[0].explanation).toMatch(text);
    // the variance is the latest count against the system
    expect(s.unexplainedQty).toBeCloseTo(observedQty - 100, 9);
    expect(s.causes[0].probability).toBeCloseTo(confidence, 3);
  });

  it.each(['count_variance', 'negative_inventory', 'phantom_stock'] as const)('%s is a count kind', (kind) => {
    const s = scoreDiscrepancy(input({ kind, expectedQty: 5, observedQty: kind === 'negative_inventory' ? -2 : 3 }));
    expect(s.candidateRule).toBe('count_within_tolerance');
  });

  it.each(['system_mismatch', 'receiving_variance', 'transfer_delay', 'return_unposted', 'mis_scan', 'shrink_pattern', 'lot_expiry'] as const)(
    '%s is not: an unexplained variance goes to review',
    (kind) => {
      const s = scoreDiscrepancy(input({ kind, expectedQty: 5, observedQty: 3 }));
      expect(s.candidateRule).toBeUndefined();
      expect(s.recommendedAction).toBe('review');
    },
  );
});

describe('scoreDiscrepancy: missing evidence lowers confidence', () => {
  it.each<[string, Partial<ScoreInput>, number]>([
    ['fully explained, ERP on-hand missing', { expectedQty: 100, observedQty: 124, evidence: ev({ erpOnHand: null, inbound: [receipt('RC-1', 24)], missing: ['erpOnHand'] }) }, C.receipt * C.missingFactor],
    ['fully explained, WMS balance missing', { expectedQty: 100, observedQty: 90, evidence: ev({ wmsBalance: null, openAllocations: [allocation('SO-1', 10)], missing: ['wmsBalance'] }) }, C.allocation * C.missingFactor],
    ['single count, WMS balance missing', { kind: 'count_variance', expectedQty: 100, observedQty: 90, evidence: ev({ missing: ['wmsBalance'] }) }, C.single * C.missingFactor],
    ['confirmed count, ERP missing', { kind: 'count_variance', expectedQty: 100, observedQty: 90, reportedQty: 90, recounts: [{ countedQty: 90 }], evidence: ev({ missing: ['erpOnHand'] }) }, C.confirmed * C.missingFactor],
    ['unexplained, both balances missing', { expectedQty: 100, observedQty: 90, evidence: ev({ missing: ['wmsBalance', 'erpOnHand'] }) }, C.unexplained * C.missingFactor],
    ['no evidence at all', { kind: 'count_variance', expectedQty: 100, observedQty: 90, evidence: { missing: ['all'] } }, C.single * C.missingFactor],
  ])('%s', (_name, i, confidence) => {
    const s = scoreDiscrepancy(input(i));
    expect(s.confidence).toBeCloseTo(confidence, 3);
    const full = scoreDiscrepancy(input({ ...i, evidence: { ...i.evidence!, missing: [] } }));
    expect(s.confidence).toBeLessThan(full.confidence);
  });
});

describe('scoreDiscrepancy: duplicate events', () => {
  const prior = (caseId: string, sharedEventIds: string[]) => ({ caseId, status: 'closed', resolution: 'auto_resolved', sharedEventIds });

  it.each<[string, boolean, string[], ReturnType<typeof prior>[]]>([
    ['every source event already handled by one case', true, ['E1', 'E2'], [prior('c-1', ['E1', 'E2'])]],
    ['a single event already handled', true, ['E1'], [prior('c-1', ['E1'])]],
    ['the second prior case covers them all', true, ['E1', 'E2'], [prior('c-1', ['E1']), prior('c-2', ['E1', 'E2'])]],
    ['only some events seen before', false, ['E1', 'E2'], [prior('c-1', ['E1'])]],
    ['split across two prior cases (not one duplicate)', false, ['E1', 'E2'], [prior('c-1', ['E1']), prior('c-2', ['E2'])]],
    ['a prior case sharing nothing', false, ['E1'], [prior('c-1', [])]],
    ['a report without source events', false, [], [prior('c-1', ['E1'])]],
    ['no prior cases', false, ['E1'], []],
  ])('%s → duplicate=%s', (_name, duplicate, sourceEventIds, priorCases) => {
    const s = scoreDiscrepancy(input({ expectedQty: 100, observedQty: 90, sourceEventIds, evidence: ev({ priorCases }) }));
    if (duplicate) {
      expect(s.recommendedAction).toBe('suppress');
      expect(s.candidateRule).toBe('duplicate_event');
      expect(s.confidence).toBe(C.duplicate);
      expect(s.causes.map((c) => c.cause)).toEqual(['duplicate_event']);
      expect(s.explanation).toMatch(/^Duplicate report/);
    } else {
      expect(s.recommendedAction).not.toBe('suppress');
      expect(s.causes.map((c) => c.cause)).not.toContain('duplicate_event');
    }
  });
});

describe('scoreDiscrepancy: general properties', () => {
  const cases: ScoreInput[] = [
    input({ expectedQty: 100, observedQty: 127, evidence: ev({ inbound: [receipt('RC-1', 24)], returnsPending: [ret('RMA-1', 3)] }) }),
    input({ kind: 'count_variance', expectedQty: 100, observedQty: 88, evidence: ev({ openAllocations: [allocation('SO-1', 10)] }) }),
    input({ expectedQty: 100, observedQty: 130, evidence: ev({ inbound: [receipt('RC-1', 24)] }) }),
  ];

  it.each(cases.map((c, i) => [i, c]))('case %d: pure, versioned, causes sorted, probabilities and priority in range', (_i, c) => {
    const before = JSON.stringify(c);
    const a = scoreDiscrepancy(c);
    expect(scoreDiscrepancy(c)).toEqual(a);
    expect(JSON.stringify(c)).toBe(before);
    expect(a.scorerVersion).toBe(SCORER_VERSION);
    const probs = a.causes.map((x) => x.probability);
    expect(probs).toEqual([...probs].sort((x, y) => y - x));
    for (const p of probs) expect(p >= 0 && p <= 1).toBe(true);
    expect(a.confidence >= 0 && a.confidence <= 1).toBe(true);
    expect(Number.isInteger(a.priority) && a.priority >= 0 && a.priority <= 100).toBe(true);
  });

  it.each([
    // priority = round(log10(1 + value) × 20 + (1 − confidence) × 20), capped at 100
    // unexplained (confidence 0.5): value = |−9.9 … | chosen so log10(1 + value) is whole
    [9, 1, Math.round(Math.log10(1 + 9) * 20 + (1 - 0.5) * 20)], // 1 × 9 = 9 → 20 + 10
    [99, 1, Math.round(Math.log10(1 + 99) * 20 + (1 - 0.5) * 20)], // 40 + 10
    [999_999, 1, Math.round(Math.log10(1 + 999_999) * 20 + (1 - 0.5) * 20)], // 120 + 10 → capped
  ])('priority for %d units at %d: %d (capped at 100)', (units, unitCost, priority) => {
    const s = scoreDiscrepancy(input({ expectedQty: 1_000_000, observedQty: 1_000_000 - units, unitCost }));
    expect(s.priority).toBe(Math.min(100, priority));
  });

  it('a larger value at risk never lowers the priority', () => {
    const p = [1, 10, 100, 1000, 10_000].map((cost) => scoreDiscrepancy(input({ expectedQty: 100, observedQty: 90, unitCost: cost })).priority);
    expect(p).toEqual([...p].sort((a, b) => a - b));
  });
});
