import { causeOfReasonCode } from '../../src/domain/scorer-v2/causes';
import { REASON_BY_FAULT, verdictFor } from '../../src/sim/approvers';
import { HOUR } from '../../src/sim/context';
import { FAULT_KINDS, type InjectedFault } from '../../src/sim/faults';
import { plannerNights } from '../../src/sim/driver';

const T0 = Date.UTC(2026, 10, 1);

const misSlot: InjectedFault = {
  id: 'F1', kind: 'mis_slot', site: 'DC1', sku: 'SKU-1', at: T0, needsCorrection: true, eventIds: [], note: 'put into A-01-02',
  signatures: [{ kinds: ['count_variance', 'phantom_stock'], site: 'DC1', sku: 'SKU-1', location: 'A-01-01' }],
};
const shortCarton: InjectedFault = {
  id: 'F2', kind: 'short_carton', site: 'DC1', sku: 'SKU-2', at: T0, needsCorrection: false, eventIds: [], note: 'one carton short',
  signatures: [{ kinds: ['receiving_variance'], site: 'DC1', sku: 'SKU-2', reference: { kind: 'asn', id: 'ASN-1' } }],
};
const base = { site: 'DC1', sourceEventIds: [] as string[] };

describe('the simulated approvers', () => {
  it('approve a case a fault explains, with the adjustment only where the fault left the books wrong', () => {
    const slot = verdictFor({ ...base, kind: 'count_variance', sku: 'SKU-1', location: 'A-01-01', reference: null }, T0 + HOUR, [misSlot, shortCarton]);
    expect(slot).toEqual({ action: 'approve', body: expect.objectContaining({ reasonCode: 'MIS_SLOT' }) });
    expect(slot.body).not.toHaveProperty('adjustQty'); // the variance in force is the correction
    const claim = verdictFor({ ...base, kind: 'receiving_variance', sku: 'SKU-2', location: null, reference: { kind: 'asn', id: 'ASN-1' } }, T0 + HOUR, [misSlot, shortCarton]);
    expect(claim).toEqual({ action: 'approve', body: expect.objectContaining({ reasonCode: 'VENDOR_SHORT', adjustQty: 0 }) });
  });

  it('reject a case no fault explains: a count variance as a miscount', () => {
    const v = verdictFor({ ...base, kind: 'count_variance', sku: 'SKU-9', location: 'B-02-01', reference: null }, T0 + HOUR, [misSlot]);
    expect(v).toEqual({ action: 'reject', body: expect.objectContaining({ reasonCode: 'MISCOUNT' }) });
    expect(causeOfReasonCode(v.body.reasonCode)).toBe('count_error');
  });

  it('give reason codes scorer v2 reads as the fault’s root cause wherever one fits', () => {
    for (const kind of FAULT_KINDS) expect(REASON_BY_FAULT[kind]).toMatch(/^[A-Z_]+$/);
    expect(causeOfReasonCode(REASON_BY_FAULT.mis_slot)).toBe('mis_scan');
    expect(causeOfReasonCode(REASON_BY_FAULT.mis_scan)).toBe('mis_scan');
    expect(causeOfReasonCode(REASON_BY_FAULT.pilfering_user)).toBe('shrink');
    expect(causeOfReasonCode(REASON_BY_FAULT.sync_lag)).toBe('sync_lag');
  });
});

describe('the planner nights', () => {
  it('fall at 02:00 after each simulated day, the last in the drain after the stream', () => {
    const nights = plannerNights({ start: T0, end: T0 + 3 * 24 * HOUR });
    expect(nights.map((n) => new Date(n).toISOString())).toEqual(['2026-11-02T02:00:00.000Z', '2026-11-03T02:00:00.000Z', '2026-11-04T02:00:00.000Z']);
  });
});
