import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config';
import { DEMO_REPORTS } from './demo-reports';

/**
 * `npm run demo`: reports the discrepancies behind fixtures/demo.json through the running API,
 * so the Temporal UI and the queue have cases to show: five that the engine explains and closes
 * itself, and one beyond tolerance that waits for a recount and then for people.
 */

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
