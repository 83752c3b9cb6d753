import { DEFAULT_POLICY_INPUT, PolicyDocument, type DiscrepancyReportInput, type Resolution } from '../../src/domain';
import type { LedgerFixtureInput } from '../../fake-wms/ledger/fixture';

/**
 * A run of cases with a known end state each, built on the reference ledger: every case has its
 * own sku, seeded so the engine reaches a predictable decision.
 *
 * - count: a count variance inside tolerance → auto_resolved, one adjustment of the variance
 * - receipt: a WMS/ERP mismatch explained by a receipt not yet posted → auto_resolved, no adjustment
 * - review: a receiving variance beyond tolerance → awaiting_approval; the test approves it with
 *   a known adjustQty → approved_adjusted, one adjustment of that quantity
 * - recount: a count variance beyond tolerance → a count task; the WMS's recount confirms the
 *   shortage → awaiting_approval → approved_adjusted, one adjustment written after two waits
 * - recount_clear: the same, but the recount finds what the system says → resolved_by_recount,
 *   no adjustment
 *
 * So ledger writes happen at every stage a fault can hit: straight after scoring, after an
 * approval, after a recount and an approval; and count tasks are written for the recount cases.
 */
export type Mix = 'count' | 'receipt' | 'review' | 'recount' | 'recount_clear';

export interface PlannedCase {
  mix: Mix;
  sku: string;
  report: DiscrepancyReportInput;
  expected: { resolution: Resolution; adjustmentQty?: number };
  /** review and recount cases: what the approver posts */
  approve?: { adjustQty: number; reasonCode: string };
  /** recount cases: what the WMS's counter reports for the count task */
  recount?: { countedQty: number; countedBy: string };
}

export interface RunPlan {
  tag: string;
  site: string;
  cases: PlannedCase[];
  fixture: LedgerFixtureInput;
}

/** Ladders of days: nothing escalates while the suite runs, so every review case waits for the approver. */
const LONG = '2d';
export const FAULT_POLICY: PolicyDocument = PolicyDocument.parse({
  ...DEFAULT_POLICY_INPUT,
  name: 'reckon-faults',
  // the rule-based scorer: a learning scorer would move the expected end states with the outcomes
  scoring: { scorer: 'rules-v1' },
  ladders: Object.fromEntries(
    Object.entries(DEFAULT_POLICY_INPUT.ladders).map(([severity, ladder]) => [
      severity,
      { ...ladder, rungs: ladder.rungs.map((r) => ({ ...r, sla: LONG })) },
    ]),
  ),
  // one approver is enough for every review case in the run
  approval: { ...DEFAULT_POLICY_INPUT.approval, fourEyesAbove: 1_000_000 },
  // a review case is a receiving variance that goes straight to the approver (the default policy
  // recounts receiving variances at the dock first; the recount cases cover counting here)
  recounts: { ...DEFAULT_POLICY_INPUT.recounts, kinds: (DEFAULT_POLICY_INPUT.recounts.kinds ?? []).filter((k) => k !== 'receiving_variance') },
});

export const APPROVER = { userId: 'ic-faults', roles: ['inventory_control'], sites: ['*'] };
export const INTEGRATION = { userId: 'wms-faults', roles: ['integration'], sites: ['*'] };

/** Per ten cases: 3 close by themselves with an adjustment, 2 without, 5 wait for people. */
const MIX: Mix[] = ['count', 'count', 'count', 'receipt', 'receipt', 'review', 'review', 'recount', 'recount', 'recount_clear'];

export function planRun(tag: string, size: number): RunPlan {
  const site = `F-${tag}`;
  const fixture: Required<Pick<LedgerFixtureInput, 'items' | 'locations' | 'balances' | 'inboundDocuments'>> = {
    items: [],
    locations: [],
    balances: [],
    inboundDocuments: [],
  };
  const cases: PlannedCase[] = [];
  // a bin per case: other open cases at a bin hold back its automatic adjustments (domain/bin-context.ts)
  const bin = (aisle: string, i: number) => {
    const location = `${aisle}-${String(i).padStart(3, '0')}`;
    fixture.locations.push({ site, location });
    return location;
  };
  for (let i = 0; i < size; i++) {
    const mix = MIX[i % MIX.length];
    const sku = `${tag}-${mix}-${i}`;
    const eventId = `${tag}-evt-${i}`;
    if (mix === 'count') {
      // ±1..5 of 120 at 10 each: inside class B (5 units or 2 %, value 250)
      const d = ((i % 5) + 1) * (i % 2 === 0 ? -1 : 1);
      const location = bin('A-01', i);
      fixture.items.push({ sku, skuClass: 'B', unitCost: 10 });
      fixture.balances.push({ site, location, sku, wmsQty: 120, erpQty: 120 });
      cases.push({
        mix,
        sku,
        report: { kind: 'count_variance', site, sku, location, expectedQty: 120, observedQty: 120 + d, unitCost: 10, skuClass: 'B', source: 'wms', sourceEventIds: [eventId], causedBy: ['counter-7'] },
        expected: { resolution: 'auto_resolved', adjustmentQty: d },
      });
    } else if (mix === 'receipt') {
      // the WMS has 24 more than the ERP: exactly the receipt the ERP has not posted yet
      const location = bin('B-02', i);
      fixture.items.push({ sku, skuClass: 'C', unitCost: 8 });
      fixture.balances.push({ site, location, sku, wmsQty: 60, erpQty: 36 });
      fixture.inboundDocuments.push({
        docKind: 'receipt', id: `RCV-${sku}`, line: '1', site, location, sku,
        expectedQty: 24, receivedQty: 24, postedToErp: false, receivedAt: new Date().toISOString(),
      });
      cases.push({
        mix,
        sku,
        report: { kind: 'system_mismatch', site, sku, location, expectedQty: 36, observedQty: 60, unitCost: 8, skuClass: 'C', source: 'erp', sourceEventIds: [eventId] },
        expected: { resolution: 'auto_resolved' },
      });
    } else if (mix === 'recount' || mix === 'recount_clear') {
      // 12..19 short of 100 at 10 each: beyond class C (10 units or 5 %), value 120..190 → recount first
      const short = 12 + (i % 8);
      const location = bin('C-03', i);
      fixture.items.push({ sku, skuClass: 'C', unitCost: 10 });
      fixture.balances.push({ site, location, sku, wmsQty: 100, erpQty: 100 });
      const confirmed = mix === 'recount';
      cases.push({
        mix,
        sku,
        report: { kind: 'count_variance', site, sku, location, expectedQty: 100, observedQty: 100 - short, unitCost: 10, skuClass: 'C', source: 'wms', sourceEventIds: [eventId], causedBy: ['counter-7'] },
        recount: { countedQty: confirmed ? 100 - short : 100, countedBy: 'counter-9' },
        ...(confirmed
          ? { approve: { adjustQty: -short, reasonCode: 'COUNT_CONFIRMED' }, expected: { resolution: 'approved_adjusted' as const, adjustmentQty: -short } }
          : { expected: { resolution: 'resolved_by_recount' as const } }),
      });
    } else {
      // 5..14 short of 500 on an ASN: receiving has no tolerance → review (value 50..140)
      const short = 5 + (i % 10);
      const location = bin('DOCK', i);
      fixture.items.push({ sku, skuClass: 'A', unitCost: 10 });
      fixture.balances.push({ site, location, sku, wmsQty: 500 - short, erpQty: 500 - short });
      cases.push({
        mix,
        sku,
        report: {
          kind: 'receiving_variance', site, sku, location, reference: { kind: 'asn', id: `ASN-${sku}`, line: '1' },
          expectedQty: 500, observedQty: 500 - short, unitCost: 10, skuClass: 'A', source: 'erp', sourceEventIds: [eventId], causedBy: ['receiver-3'],
        },
        approve: { adjustQty: -short, reasonCode: 'SHORT_SHIP' },
        expected: { resolution: 'approved_adjusted', adjustmentQty: -short },
      });
    }
  }
  return { tag, site, cases, fixture };
}
