import type { DiscrepancyReportInput } from '../domain';

/** The discrepancies behind fixtures/demo.json (npm run demo reports them; npm run screenshots too). */
export const DEMO_REPORTS: DiscrepancyReportInput[] = [
  { kind: 'system_mismatch', site: 'DC1', sku: 'SKU-123', location: 'A-01-03', expectedQty: 36, observedQty: 60, unitCost: 89, skuClass: 'A', source: 'erp', sourceEventIds: ['ERP-SYNC-1001'] },
  { kind: 'system_mismatch', site: 'DC1', sku: 'SKU-310', location: 'B-04-02', expectedQty: 50, observedQty: 38, unitCost: 24.5, skuClass: 'B', source: 'erp', sourceEventIds: ['ERP-SYNC-1002'] },
  { kind: 'system_mismatch', site: 'DC1', sku: 'SKU-522', location: 'A-02-01', expectedQty: 12, observedQty: 7, unitCost: 149, skuClass: 'A', source: 'erp', sourceEventIds: ['ERP-SYNC-1003'] },
  { kind: 'system_mismatch', site: 'DC1', sku: 'SKU-204', location: 'RTN-01', expectedQty: 0, observedQty: 10, unitCost: 3.2, skuClass: 'C', source: 'erp', sourceEventIds: ['ERP-SYNC-1004'] },
  { kind: 'count_variance', site: 'DC1', sku: 'SKU-415', location: 'C-10-05', expectedQty: 40, observedQty: 37, unitCost: 7.8, skuClass: 'C', source: 'wms', sourceEventIds: ['CNT-20261121-C1005'], causedBy: ['u31'] },
  { kind: 'count_variance', site: 'DC2', sku: 'SKU-123', location: 'A-01-01', expectedQty: 18, observedQty: 11, unitCost: 89, skuClass: 'A', source: 'wms', sourceEventIds: ['CNT-20261122-DC2-A0101'], causedBy: ['u44'] },
];
