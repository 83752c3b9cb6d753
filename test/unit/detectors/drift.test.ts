import { DiscrepancyReport } from '../../../src/domain';
import { detectDrift } from '../../../src/domain/drift';
import { drift } from '../../../src/ingest/detectors/drift';
import { event, features, stock } from './support';

const week = (n: number) => new Date(Date.UTC(2026, 0, 5 + 7 * n, 10)).toISOString();

describe('drift', () => {
  // a 200-unit bin losing 1 unit (0.5 %) a week, each count inside tolerance, the books never corrected
  const series = Array.from({ length: 6 }, (_, i) => ({ at: week(i), systemQty: 200, countedQty: 200 - (i + 1) }));

  it('reports a loss drift no single count trips, with its size per week and the evidence series', () => {
    const f = features({ stock: { 'A-01': stock(200) } });
    f.countSeries = series.slice(0, 4);
    const [r] = drift.onEvent(event({ type: 'count', sku: 'S1', location: 'A-01', qty: 195, occurredAt: week(4) }), f);
    const report = DiscrepancyReport.parse(r);
    expect(report).toMatchObject({ kind: 'drift', location: 'A-01', reference: { kind: 'other', id: 'drift:A-01:S1' }, expectedQty: 0, observedQty: 5, process: 'counting' });
    // the books kept each variance inside tolerance: 1 unit drifted a week, 0.5 % of 200
    expect(report.note).toMatch(/^loss drift of about 0\.50 % of stock a week \(1 units\)/);
    expect(report.note).toMatch(/^loss drift of about [\d.]+ % of stock a week \([\d.]+ units\) over 5 counts, 5 units in all \(CUSUM -3\.25 %, threshold 2 %\); counted\/system: 2026-01-05 199\/200, /);
  });

  it('stays quiet on counts that scatter both ways, and on one gross miscount', () => {
    const scatter = [1, -1, 0, 2, -2, 1, -1, 0].map((d, i) => ({ at: week(i), systemQty: 100, countedQty: 100 + d }));
    expect(detectDrift(scatter)).toBeNull();
    expect(detectDrift([...scatter, { at: week(9), systemQty: 100, countedQty: 92 }])).toBeNull();
  });

  it('needs a run of counts: three is too few even when they all lose', () => {
    expect(detectDrift(series.slice(0, 3).map((s) => ({ ...s, countedQty: s.countedQty - 10 })))).toBeNull();
  });

  it('finds a gain as well, and leaves other events alone', () => {
    const gain = Array.from({ length: 8 }, (_, i) => ({ at: week(i), systemQty: 100, countedQty: 101 }));
    // a steady +1 the books keep carrying: it happened once, before the run, and did not drift since
    expect(detectDrift(gain)).toMatchObject({ direction: 'gain', units: 1 });
    const corrected = gain.map((g) => ({ ...g, corrected: true }));
    expect(detectDrift(corrected)).toMatchObject({ direction: 'gain', units: 8, perWeekUnits: 1 });
    expect(drift.onEvent(event({ type: 'pick', sku: 'S1', location: 'A-01', qty: 1 }), features())).toEqual([]);
  });
});
