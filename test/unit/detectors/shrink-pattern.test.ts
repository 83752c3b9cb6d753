import { DiscrepancyReport } from '../../../src/domain';
import { median, robustZ } from '../../../src/ingest/detectors/robust';
import { shrinkPattern } from '../../../src/ingest/detectors/shrink-pattern';
import type { ShrinkWindow } from '../../../src/ingest/features/types';
import { event, features } from './support';

describe('robust statistics', () => {
  it('median and robust z against peers', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(robustZ(2, [1, 2, 3, 2, 2])).toBeCloseTo(0);
    expect(robustZ(40, [1, 2, 3, 2, 2])).toBeGreaterThan(3.5);
  });
  it('still scores an outlier among identical peers (MAD of zero)', () => {
    expect(robustZ(12, [0, 0, 0, 0])).toBe(12);
    expect(robustZ(0, [0, 0, 0])).toBe(0);
  });
});

describe('shrink_pattern', () => {
  const loss = (qty = -4, reasonCode?: string) => event({ type: 'adjustment', sku: 'S1', location: 'G-01', qty, reasonCode, actor: { userId: 'u9', shift: 'N' } });
  const window = (w: Partial<ShrinkWindow>): ShrinkWindow => ({ dimension: 'user', key: 'u9', lossUnits: 20, lossCount: 4, peers: [0, 1, 2, 0, 1], windowDays: 14, ...w });

  it('reports a user whose unexplained losses stand out from their peers', () => {
    const [r] = shrinkPattern.onEvent(loss(), features({ shrink: [window({})] }));
    expect(DiscrepancyReport.parse(r)).toMatchObject({
      kind: 'shrink_pattern', sku: 'S1', location: undefined, reference: { kind: 'other', id: 'user:u9' }, expectedQty: 1, observedQty: 24, causedBy: ['u9'],
    });
  });

  it('keys a location pattern on the bin', () => {
    const [r] = shrinkPattern.onEvent(loss(), features({ shrink: [window({ dimension: 'location', key: 'G-01' })] }));
    expect(r).toMatchObject({ location: 'G-01', reference: { id: 'location:G-01' }, causedBy: [] });
  });

  it.each([
    ['an explained loss', loss(-4, 'DAMAGED'), window({})],
    ['a gain', loss(4), window({})],
    ['losses in line with peers', loss(-1), window({ lossUnits: 1, peers: [2, 1, 3, 2, 1] })],
    ['too few losses to be a pattern', loss(), window({ lossCount: 1 })],
    ['too few peers to compare with', loss(), window({ peers: [0, 1] })],
  ])('stays quiet for %s', (_label, e, w) => {
    expect(shrinkPattern.onEvent(e, features({ shrink: [w] }))).toEqual([]);
  });
});
