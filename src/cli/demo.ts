import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config';
import type { DiscrepancyReportInput } from '../domain';

/**
 * `npm run demo`: reports the discrepancies behind fixtures/demo.json through the running API,
 * so the Temporal UI and the queue have cases to show: five that the engine explains and closes
 * itself, and one beyond tolerance that waits for a recount and then for people.
 */
const DEMO_REPORTS: DiscrepancyReportInput[] = [
  { kind: 'system_mismatch', site: 'DC1', sku: 'SKU-123', location: 'A-01-03', expectedQty: 36, observedQty: 60, unitCost: 89, skuClass: 'A', source: 'erp', sourceEventIds: ['ERP-SYNC-1001'] },
  { kind: 'system_mismatch', site: 'DC1', sku: 'SKU-310', location: 'B-04-02', expectedQty: 50, observedQty: 38, unitCost: 24.5, skuClass: 'B', source: 'erp', sourceEventIds: ['ERP-SYNC-1002'] },
  { kind: 'system_mismatch', site: 'DC1', sku: 'SKU-522', location: 'A-02-01', expectedQty: 12, observedQty: 7, unitCost: 149, skuClass: 'A', source: 'erp', sourceEventIds: ['ERP-SYNC-1003'] },
  { kind: 'system_mismatch', site: 'DC1', sku: 'SKU-204', location: 'RTN-01', expectedQty: 0, observedQty: 10, unitCost: 3.2, skuClass: 'C', source: 'erp', sourceEventIds: ['ERP-SYNC-1004'] },
  { kind: 'count_variance', site: 'DC1', sku: 'SKU-415', location: 'C-10-05', expectedQty: 40, observedQty: 37, unitCost: 7.8, skuClass: 'C', source: 'wms', sourceEventIds: ['CNT-20261121-C1005'], causedBy: ['u31'] },
  { kind: 'count_variance', site: 'DC2', sku: 'SKU-123', location: 'A-01-01', expectedQty: 18, observedQty: 11, unitCost: 89, skuClass: 'A', source: 'wms', sourceEventIds: ['CNT-20261122-DC2-A0101'], causedBy: ['u44'] },
];

async function main(): Promise<number> {
  const config = loadConfig();
  const base = `http://127.0.0.1:${config.PORT}`;
  const key = readFileSync(join(config.RECKON_DATA_DIR, 'admin.key'), 'utf8').trim();
  for (const report of DEMO_REPORTS) {
    const res = await fetch(`${base}/v1/discrepancies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(report),
    });
    const body = (await res.json()) as { id?: string; workflowId?: string; detail?: string };
    if (res.status !== 202) {
      process.stderr.write(`demo: ${report.kind} ${report.site} ${report.sku}: ${res.status} ${body.detail ?? ''}\n`);
      return 1;
    }
    process.stdout.write(`  ${report.kind.padEnd(16)} ${report.site} ${report.sku.padEnd(8)} → case ${body.id} (workflow ${body.workflowId})\n`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
