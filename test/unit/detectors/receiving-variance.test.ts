import { DiscrepancyReport } from '../../../src/domain';
import { receivingVariance } from '../../../src/ingest/detectors/receiving-variance';
import type { InboundLine } from '../../../src/ingest/features/types';
import { event, features } from './support';

const line = (l: Partial<InboundLine>): InboundLine => ({ line: '1', sku: 'S1', expectedQty: 100, receivedQty: 0, announced: true, closed: false, ...l });
const asn = (...lines: InboundLine[]) => ({ inbound: { kind: 'asn' as const, id: 'ASN-7', lines } });
const receipt = (qty: number, extra: { sku?: string; line?: string; attributes?: Record<string, unknown> } = {}) =>
  event({ type: 'receipt', sku: extra.sku ?? 'S1', location: 'DOCK-1', qty, reference: { kind: 'asn', id: 'ASN-7', line: extra.line }, attributes: extra.attributes ?? {} });

// receiving tolerance in the default policy: 0 units, 0 % (value still bounds it at class C: 500)
describe('receiving_variance', () => {
  it('reports an over-receipt at once, on the ASN line, at the receipt\'s dock', () => {
    const [r] = receivingVariance.onEvent(receipt(30), features(asn(line({ receivedQty: 80 }))));
    expect(DiscrepancyReport.parse(r)).toMatchObject({
      kind: 'receiving_variance', location: 'DOCK-1', reference: { kind: 'asn', id: 'ASN-7', line: '1' }, expectedQty: 100, observedQty: 110, process: 'receiving',
    });
  });

  it('reports an over-receipt on a line already closed: a receipt booked twice after the line was closed', () => {
    const [r] = receivingVariance.onEvent(receipt(100), features(asn(line({ receivedQty: 100, closed: true }))));
    expect(r).toMatchObject({ kind: 'receiving_variance', reference: { kind: 'asn', id: 'ASN-7', line: '1' }, expectedQty: 100, observedQty: 200 });
  });

  it('does not count the ERP posting a receipt (source erp) as a second arrival', () => {
    const posting = { ...receipt(100), source: 'erp' };
    expect(receivingVariance.onEvent(posting, features(asn(line({ receivedQty: 100, closed: true }))))).toEqual([]);
  });

  it('reports a wrong sku: received against a line of another sku, or one the ASN does not list', () => {
    expect(receivingVariance.onEvent(receipt(5, { sku: 'S9', line: '1' }), features(asn(line({}))))).toEqual([
      expect.objectContaining({ sku: 'S9', expectedQty: 0, observedQty: 5, reference: { kind: 'asn', id: 'ASN-7', line: '1' } }),
    ]);
    expect(receivingVariance.onEvent(receipt(5, { sku: 'S9' }), features(asn(line({}))))).toEqual([expect.objectContaining({ sku: 'S9', expectedQty: 0 })]);
  });

  it('reports a short line when the receipt closes it', () => {
    expect(receivingVariance.onEvent(receipt(50, { attributes: { closesLine: true } }), features(asn(line({ receivedQty: 20 }))))).toEqual([
      expect.objectContaining({ expectedQty: 100, observedQty: 70 }),
    ]);
  });

  it('closing the document compares every open line, each valued at its own sku', () => {
    const f = features(asn(line({}), line({ line: '2', sku: 'S2', expectedQty: 10, receivedQty: 4, item: { unitCost: 3, skuClass: 'B' } }), line({ line: '3', sku: 'S3', expectedQty: 5, receivedQty: 5 })));
    const out = receivingVariance.onEvent(receipt(100, { attributes: { closesDocument: true } }), f);
    expect(out).toEqual([expect.objectContaining({ sku: 'S2', expectedQty: 10, observedQty: 4, unitCost: 3, skuClass: 'B', reference: { kind: 'asn', id: 'ASN-7', line: '2' } })]);
  });

  it.each([
    ['a receipt that fills the line exactly', receipt(100, { attributes: { closesLine: true } }), asn(line({}))],
    ['a partial receipt on an open line', receipt(40), asn(line({}))],
    ['a receipt against an ASN never announced', receipt(500), asn(line({ announced: false, expectedQty: 0 }))],
    ['a closing receipt on a line already closed', receipt(1, { attributes: { closesLine: true } }), asn(line({ closed: true, receivedQty: 10 }))],
  ])('stays quiet for %s', (_label, e, f) => {
    expect(receivingVariance.onEvent(e, features(f))).toEqual([]);
  });
});
