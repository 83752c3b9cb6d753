import { Books } from '../../src/sim/books';
import type { CaseDetail, CaseSummary } from '../../src/sim/client';
import { HOUR } from '../../src/sim/context';
import type { InjectedFault } from '../../src/sim/faults';
import { simTimeline } from '../../src/sim/driver';
import { generate } from '../../src/sim/generator';
import { clusterCount, computeScorecard } from '../../src/sim/scorecard';
import { DEFAULT_SHAPE } from '../../src/sim/warehouse';

const T0 = Date.UTC(2026, 10, 1);
const iso = (ms: number) => new Date(ms).toISOString();

function fault(f: Partial<InjectedFault> & Pick<InjectedFault, 'id' | 'kind' | 'signatures'>): InjectedFault {
  return { site: 'DC1', at: T0, needsCorrection: false, eventIds: [], note: f.id, ...f };
}

function kase(c: Partial<CaseSummary> & Pick<CaseSummary, 'id' | 'kind'>, openedAfterMs = HOUR): CaseSummary {
  return {
    site: 'DC1', sku: 'SKU-1', location: null, reference: null, status: 'awaiting_approval', resolution: null,
    expectedQty: 0, observedQty: 0, confidence: 0.5, scorerVersion: 'rules-v1', sourceEventIds: [], explanation: null,
    detectedAt: iso(T0 + openedAfterMs), openedAt: iso(T0 + openedAfterMs), closedAt: null, ...c,
  };
}

describe('the generator', () => {
  const opts = { seed: 11, days: 2, start: T0, shape: { ...DEFAULT_SHAPE, skus: 24, ordersPerDay: 30 }, faultsPerSiteDay: 2 };

  it('is deterministic for a seed and start: the same events, in the same order, and the same faults', () => {
    const a = generate(opts);
    const b = generate(opts);
    expect(b.events).toEqual(a.events);
    expect(b.faults).toEqual(a.faults);
    expect(generate({ ...opts, seed: 12 }).events).not.toEqual(a.events);
  });

  it('labels every fault with the events that carry it, and keeps people to travel times the mis_scan rule accepts', () => {
    const sim = generate(opts);
    const ids = new Set(sim.events.map((e) => e.event.eventId));
    expect(sim.faults.length).toBeGreaterThan(10);
    for (const f of sim.faults) for (const id of f.eventIds) expect(ids.has(id)).toBe(true);
    const misScans = new Set(sim.faults.filter((f) => f.kind === 'mis_scan').flatMap((f) => f.eventIds));
    const last = new Map<string, { at: number; zone: string }>();
    for (const e of sim.events.filter((x) => !x.redelivery && ['receipt', 'putaway', 'pick', 'move', 'count'].includes(x.event.type) && x.event.actor)) {
      const user = e.event.actor!.userId!;
      const zone = e.event.location!.split('-')[0];
      const prev = last.get(user);
      if (prev && prev.zone !== zone && !misScans.has(e.event.eventId)) expect(e.at - prev.at).toBeGreaterThanOrEqual(60_000);
      last.set(user, { at: e.at, zone });
    }
  });

  it('picks short only where a fault left the pick face with less than the WMS believes', () => {
    const sim = generate(opts);
    const shorts = sim.events.filter((e) => e.event.type === 'pick' && (e.event.attributes as { shortQty?: number }).shortQty);
    for (const s of shorts) {
      const faulted = sim.faults.some((f) => (f.kind === 'mis_slot' || f.kind === 'mis_scan') && f.site === s.event.site && f.sku === s.event.sku && f.at <= s.at);
      expect(faulted).toBe(true);
    }
  });
});

describe('the run clock', () => {
  it('maps a real instant to simulated time at the speed-up, standing still where the run paused', () => {
    // 600×: 10 real s are 6000 simulated s; then a 10 s pause; then on again
    const simOf = simTimeline([[0, 0], [10, 6000], [20, 6000], [30, 12_000]], 600);
    expect(simOf(5)).toBe(3000);
    expect(simOf(15)).toBe(6000);
    expect(simOf(25)).toBe(9000);
    expect(simOf(40)).toBe(18_000);
  });
});

describe('the scorecard', () => {
  const books = new Books();
  // a mis-slot left B-01 with 10 fewer than the WMS believes
  books.change(T0 - HOUR, 'DC1', 'B-01', 'SKU-1', { phys: 20, wms: 20 });
  books.change(T0, 'DC1', 'B-01', 'SKU-1', { wms: 10 });
  const faults = [
    fault({ id: 'F1', kind: 'mis_slot', sku: 'SKU-1', needsCorrection: true, signatures: [{ kinds: ['phantom_stock', 'count_variance'], site: 'DC1', sku: 'SKU-1', location: 'B-01' }] }),
    fault({ id: 'F2', kind: 'short_carton', signatures: [{ kinds: ['receiving_variance'], site: 'DC1', sku: 'SKU-1', reference: { kind: 'asn', id: 'ASN-1' } }] }),
    fault({ id: 'F3', kind: 'short_carton', signatures: [{ kinds: ['receiving_variance'], site: 'DC1', sku: 'SKU-2', reference: { kind: 'asn', id: 'ASN-2' } }] }),
    fault({ id: 'F4', kind: 'pilfering_user', eventIds: ['E-9'], signatures: [{ kinds: ['shrink_pattern'], site: 'DC1', user: 'u-thief' }] }),
  ];
  const cases: CaseSummary[] = [
    kase({ id: 'c1', kind: 'phantom_stock', location: 'B-01', confidence: 0.9 }, 2 * HOUR),
    kase({ id: 'c2', kind: 'count_variance', location: 'B-01', confidence: 0.8, status: 'closed', resolution: 'auto_resolved', closedAt: iso(T0 + 3 * HOUR) }, 3 * HOUR),
    kase({ id: 'c3', kind: 'receiving_variance', reference: { kind: 'asn', id: 'ASN-1', line: '1' }, confidence: 0.7 }, 30 * 60_000),
    kase({ id: 'c4', kind: 'receiving_variance', reference: { kind: 'asn', id: 'ASN-7' }, confidence: 0.6 }),
    // the thief's loss at a bin: matched through the source event, not the reference
    kase({ id: 'c5', kind: 'shrink_pattern', location: 'C-01', reference: { kind: 'other', id: 'location:C-01' }, sourceEventIds: ['E-9'], confidence: 0.5 }),
    // opened well before the fault: not its detection
    kase({ id: 'c6', kind: 'phantom_stock', location: 'B-01', confidence: 0.2 }, -3 * HOUR),
  ];
  const detail = (c: CaseSummary, decision: CaseDetail['decision']): CaseDetail => ({ ...c, decision });
  const simOf = (ms: number) => ms;

  it('computes recall and precision per fault kind with the matching rule, and MTTD in simulated minutes', () => {
    const s = computeScorecard({ faults, books, cases, autoResolved: [], incidents: null, simOf });
    expect(s.perKind.mis_slot).toMatchObject({ injected: 1, detected: 1, recall: 1, truePositives: 2, falsePositives: 1, precision: 0.667, mttdMinutes: { median: 120, mean: 120 } });
    expect(s.perKind.short_carton).toMatchObject({ injected: 2, detected: 1, recall: 0.5, truePositives: 1, falsePositives: 1, precision: 0.5, mttdMinutes: { median: 30 } });
    expect(s.perKind.short_carton.missed).toEqual(['F3: F3']);
    expect(s.perKind.pilfering_user).toMatchObject({ recall: 1, precision: 1 });
    // a receiving case matching a short carton is no false alarm for duplicate deliveries
    expect(s.perKind.duplicate_delivery).toMatchObject({ injected: 0, recall: null, truePositives: 0, falsePositives: 1 });
    expect(s.cases).toMatchObject({ total: 6, matched: 4, unmatched: 2 });
  });

  /** a case's detail as scorer v2 leaves it: probabilities over the root causes */
  const v2 = (c: CaseSummary, notReal: { count_error?: number; duplicate_report?: number }): CaseDetail => {
    const countError = notReal.count_error ?? 0;
    const duplicate = notReal.duplicate_report ?? 0;
    return { ...c, rootCauses: [{ cause: 'mis_scan', probability: 1 - countError - duplicate }, { cause: 'count_error', probability: countError }, { cause: 'duplicate_report', probability: duplicate }] };
  };

  it("scores the engine's probability that a case is real against the ground truth, beside the base rate as a constant forecast", () => {
    // real: c1, c2, c3, c5; not: c4, c6. P(real) = 1 − P(count_error) − P(duplicate_report)
    const details = [
      v2(cases[0], { count_error: 0.1 }), // 0.9, real
      v2(cases[1], { count_error: 0.15, duplicate_report: 0.05 }), // 0.8, real
      v2(cases[2], { count_error: 0.3 }), // 0.7, real
      v2(cases[3], { count_error: 0.6 }), // 0.4, not real
      { ...cases[4], rootCauses: [] }, // scored by rules-v1: no forecast
      v2(cases[5], { count_error: 0.9 }), // 0.1, not real
    ];
    const s = computeScorecard({ faults, books, cases, autoResolved: [], details, incidents: null, simOf });
    expect(s.calibration).toMatchObject({ forecastCases: 5, notForecast: 1 });
    expect(s.brier).toBeCloseTo((0.1 ** 2 + 0.2 ** 2 + 0.3 ** 2 + 0.4 ** 2 + 0.1 ** 2) / 5, 3);
    expect(s.baseRate).toBeCloseTo(3 / 5, 3);
    // the best constant forecast says the base rate every time
    expect(s.brierPrior).toBeCloseTo((3 / 5) * (2 / 5), 3);
    expect(s.brier!).toBeLessThan(s.brierPrior!);
    expect(s.reliability.find((b) => b.from === 0.8)).toMatchObject({ cases: 2, meanConfidence: 0.85, observedRate: 1 });
    expect(s.reliability.find((b) => b.from === 0)).toMatchObject({ cases: 1, meanConfidence: 0.1, observedRate: 0 });
    expect(s.forecasts.find((f) => f.id === 'c4')).toMatchObject({ p: 0.4, real: false });
  });

  it("does not score rules-v1's confidence as a probability that the case is real", () => {
    const s = computeScorecard({ faults, books, cases, autoResolved: [], details: cases.map((c) => ({ ...c, rootCauses: [] })), incidents: null, simOf });
    expect(s.calibration).toMatchObject({ forecastCases: 0, notForecast: 6 });
    expect(s.brier).toBeNull();
    expect(s.brierPrior).toBeNull();
  });

  it('says which false alarms the engine settled itself by a recount that found the system right, and the precision of what it raised', () => {
    const settled = cases.map((c) => (c.id === 'c6' ? { ...c, status: 'closed', resolution: 'resolved_by_recount' } : c));
    const s = computeScorecard({ faults, books, cases: settled, autoResolved: [], incidents: null, simOf });
    expect(s.perKind.mis_slot).toMatchObject({ truePositives: 2, falsePositives: 1, falsePositivesSettled: 1, precision: 0.667, precisionRaised: 1 });
    // a false alarm that went to people still counts against what was raised
    expect(s.perKind.short_carton).toMatchObject({ falsePositives: 1, falsePositivesSettled: 0, precisionRaised: 0.5 });
  });

  it('counts a recount closure as wrong when a fault left the bin wrong, and a settled miscount as right', () => {
    const closed = { status: 'closed', resolution: 'resolved_by_recount', closedAt: iso(T0 + 4 * HOUR) };
    // c2 matches the mis-slot that left B-01 ten short: closing it without a correction leaves the WMS wrong
    const wrong = { ...cases[1], ...closed };
    // c6 matches no fault (opened before it): a miscount the recount settled
    const right = { ...cases[5], ...closed };
    const s = computeScorecard({ faults, books, cases: [wrong, right], autoResolved: [], details: [wrong, right], incidents: null, simOf });
    expect(s.wrongRecountClosures).toBe(1);
    expect(s.wrongRecountClosureCases[0]).toMatchObject({ id: 'c2' });
    expect(s.wrongRecountClosureCases[0].why).toMatch(/F1/);
    expect(s.wrongAutoResolutions).toBe(0);
  });

  it('counts an auto-resolution as wrong when it adjusts by other than the truth, or leaves a wrong bin alone', () => {
    const right = detail(cases[1], { action: 'auto_resolve', correction: 'adjust', adjustQty: -10 });
    const wrongQty = detail(cases[1], { action: 'auto_resolve', correction: 'adjust', adjustQty: -4 });
    const resync = detail(cases[1], { action: 'auto_resolve', correction: 'resync', adjustQty: 0 });
    const harmless = detail(cases[3], { action: 'auto_resolve', correction: 'suppress', adjustQty: 0 });
    expect(computeScorecard({ faults, books, cases, autoResolved: [right, harmless], incidents: null, simOf }).wrongAutoResolutions).toBe(0);
    const s = computeScorecard({ faults, books, cases, autoResolved: [wrongQty, resync], incidents: null, simOf });
    expect(s.wrongAutoResolutions).toBe(2);
    expect(s.wrongAutoResolutionCases[0].why).toMatch(/adjusted by -4; the truth needed -10/);
  });

  it('counts alerts after clustering from the incidents endpoint, or clusters by bin, ASN and user itself', () => {
    const open = cases.filter((c) => c.status !== 'closed');
    const viaApi = computeScorecard({ faults, books, cases, autoResolved: [], incidents: [{ id: 'i1', site: 'DC1', link: { kind: 'bin', key: 'B-01' }, status: 'open', cases: [{ id: 'c1' }, { id: 'c6' }] }], simOf });
    expect(viaApi.alerts).toMatchObject({ openCases: open.length, afterClustering: 1 + open.length - 2, clusteredBy: 'api' });
    expect(clusterCount(cases)).toBe(4); // B-01 ×3, ASN-1, ASN-7, C-01
  });
});
