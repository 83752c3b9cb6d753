import { DEFAULT_NOISE } from '../../src/sim/context';
import { generate } from '../../src/sim/generator';
import { counterReading } from '../../src/sim/outbound';
import { Prng } from '../../src/sim/prng';
import { DEFAULT_SHAPE } from '../../src/sim/warehouse';

const T0 = Date.UTC(2026, 10, 1);

describe('benign look-alikes in the stream', () => {
  const opts = { seed: 5, days: 2, start: T0, shape: { ...DEFAULT_SHAPE, skus: 24, ordersPerDay: 40 }, faultsPerSiteDay: 2 };

  it('a picker who cannot find stock reports the line short at a bin that holds it, and the books stay right', () => {
    const sim = generate({ ...opts, cantFindRate: 0.05 });
    const faulted = (site: string, sku: string | undefined, at: number) => sim.faults.some((f) => (f.kind === 'mis_slot' || f.kind === 'mis_scan') && f.site === site && f.sku === sku && f.at <= at);
    const overlooked = sim.events.filter((e) => !e.redelivery && e.event.type === 'pick' && (e.event.attributes as { shortQty?: number }).shortQty && !faulted(e.event.site, e.event.sku, e.at));
    expect(overlooked.length).toBeGreaterThan(0);
    for (const e of overlooked) {
      expect(e.event.qty).toBe(0);
      // nothing moved: what is on the shelf is what the WMS believes, before and after
      const p = sim.books.pointAt(e.event.site, e.event.location!, e.event.sku!, e.at);
      expect(p.phys).toBe(p.wms);
      expect(p.phys).toBeGreaterThanOrEqual((e.event.attributes as { requestedQty: number }).requestedQty);
    }
  });

  it('leaves the faults where they were: the noise draws from streams of its own', () => {
    const quiet = generate(opts);
    const noisy = generate({ ...opts, miscountRate: DEFAULT_NOISE.miscountRate, cantFindRate: DEFAULT_NOISE.cantFindRate });
    expect(noisy.faults.map((f) => [f.id, f.kind, f.site])).toEqual(quiet.faults.map((f) => [f.id, f.kind, f.site]));
  });

  it('a counter writes down the truth, or at the miscount rate a figure 3–8 units off, never below zero', () => {
    const rng = new Prng(3);
    for (let i = 0; i < 50; i++) expect(counterReading(12, 0, rng)).toBe(12);
    const offs = Array.from({ length: 200 }, () => counterReading(20, 1, rng) - 20);
    for (const d of offs) expect(Math.abs(d)).toBeGreaterThanOrEqual(3);
    for (const d of offs) expect(Math.abs(d)).toBeLessThanOrEqual(8);
    expect(offs.some((d) => d > 0) && offs.some((d) => d < 0)).toBe(true);
    for (let i = 0; i < 50; i++) expect(counterReading(2, 1, rng)).toBeGreaterThanOrEqual(0);
  });
});
