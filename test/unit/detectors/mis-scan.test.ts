import { DiscrepancyReport } from '../../../src/domain';
import { misScan, travelSeconds, TRAVEL_SECONDS } from '../../../src/ingest/detectors/mis-scan';
import { event, features, NOW, stock } from './support';

const secondsBefore = (s: number) => new Date(Date.parse(NOW) - s * 1000).toISOString();
const lastScan = (location: string, secondsAgo: number, scanner = 'user:u1') => ({ scanner, location, zone: location.split('-')[0], at: secondsBefore(secondsAgo), eventId: 'E-0' });

describe('travel time by zone', () => {
  it('is nothing within a zone, a minute across zones', () => {
    expect(travelSeconds({ location: 'A-01', zone: 'A' }, { location: 'A-01', zone: 'A' })).toBe(0);
    expect(travelSeconds({ location: 'A-01', zone: 'A' }, { location: 'A-09', zone: 'A' })).toBe(TRAVEL_SECONDS.sameZone);
    expect(travelSeconds({ location: 'A-01', zone: 'A' }, { location: 'F-01', zone: 'F' })).toBe(TRAVEL_SECONDS.otherZone);
  });
});

describe('mis_scan', () => {
  const pick = (extra = {}) => event({ type: 'pick', sku: 'S1', location: 'F-10', qty: 3, actor: { userId: 'u1', deviceId: 'RF-1' }, ...extra });

  it('reports a scan in another zone seconds after the last one', () => {
    const [r] = misScan.onEvent(pick(), features({ lastScans: [lastScan('A-01', 10)], stock: { 'F-10': stock(20) } }));
    expect(DiscrepancyReport.parse(r)).toMatchObject({ kind: 'mis_scan', location: 'F-10', expectedQty: 0, observedQty: 3, causedBy: ['u1'] });
    expect(r.note).toMatch(/user:u1 scanned A-01 10 s earlier/);
  });

  it('takes zones from the location master when it has them', () => {
    const f = features({ zones: { 'F-10': 'A' }, lastScans: [{ ...lastScan('A-01', 10), zone: 'A' }], stock: { 'F-10': stock(20) } });
    expect(misScan.onEvent(pick(), f)).toEqual([]);
  });

  it('judges the device on its own: a shared device hopping zones is a mis-scan', () => {
    expect(misScan.onEvent(pick(), features({ lastScans: [lastScan('A-01', 5, 'device:RF-1')], stock: { 'F-10': stock(20) } }))).toHaveLength(1);
  });

  it('reports a pick from a bin nothing was put into, where the system holds none', () => {
    const [r] = misScan.onEvent(pick(), features({ binStocked: false, stock: { 'F-10': stock(0) } }));
    expect(r.note).toMatch(/nothing was put away/);
  });

  it.each([
    ['enough time to cross zones', features({ lastScans: [lastScan('A-01', 120)], stock: { 'F-10': stock(20) } })],
    ['a scan within the same zone moments before', features({ lastScans: [lastScan('F-02', 2)], stock: { 'F-10': stock(20) } })],
    ['a second scan in the same bin', features({ lastScans: [lastScan('F-10', 0)], stock: { 'F-10': stock(20) } })],
    ['a never-stocked bin the system holds stock in (loaded before Reckon listened)', features({ binStocked: false, stock: { 'F-10': stock(20) } })],
    ['no earlier scan at all', features({ binStocked: true, stock: { 'F-10': stock(20) } })],
  ])('stays quiet with %s', (_label, f) => {
    expect(misScan.onEvent(pick(), f)).toEqual([]);
  });
});
