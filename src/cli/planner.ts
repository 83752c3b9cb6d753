import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../config';
import { getActivePolicy } from '../store/policy-repo';
import { createPool } from '../store/db';
import { changeClassOverride } from '../store/class-overrides';
import { getSkuClass, listSkuClasses } from '../store/sku-class-repo';
import { classifySite } from '../planner/abc';
import { loadLocationFeatures } from '../store/location-features';
import { ensurePlannerSchedules, PLANNER_WORKFLOW_TYPE, plannerWorkflowId } from '../planner/schedule';
import { temporalConnectionOptions } from '../temporal/connection';
import type { cycleCountPlanner } from '../workflows/cycle-count-planner';

const USAGE = `usage: npm run planner -- ensure [--sites DC1,DC2]        create or update the nightly schedule per site (default: CYCLE_COUNT_SITES)
       npm run planner -- run --site DC1 [--top N]      plan one site now and wait for the result
       npm run planner -- classify --site DC1            recompute the site's ABC classes now and print them
       npm run planner -- set-class --site DC1 --sku S --class A|B|C|none --by NAME [--reason TEXT]
                                                         override (or with none: clear) a sku's class at a site`;

function usage(problem?: string): number {
  process.stderr.write(`${problem ? `${problem}\n` : ''}${USAGE}\n`);
  return 2;
}

function flags(rest: string[]): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i];
    const value = rest[i + 1];
    if (!name?.startsWith('--') || value === undefined) return `unexpected argument ${name}`;
    out[name.slice(2)] = value;
  }
  return out;
}

/** `npm run planner -- ensure|run`: the cycle-count planner's schedules, or one run on demand. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!['ensure', 'run', 'classify', 'set-class'].includes(command ?? '')) return usage(command ? `unknown command ${command}` : undefined);
  const f = flags(rest);
  if (typeof f === 'string') return usage(f);
  if (command === 'classify' || command === 'set-class') return classes(command, f, loadConfig());
  const env = { ...process.env, ...(f.sites !== undefined ? { CYCLE_COUNT_SITES: f.sites } : {}), ...(f.top !== undefined ? { CYCLE_COUNT_TOP_N: f.top } : {}) };
  const config = loadConfig(env);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  try {
    if (command === 'ensure') {
      if (config.CYCLE_COUNT_SITES.length === 0) return usage('no sites: set CYCLE_COUNT_SITES or pass --sites');
      const outcomes = await ensurePlannerSchedules(client, config);
      process.stdout.write(`${JSON.stringify({ cron: config.CYCLE_COUNT_CRON, timezone: config.CYCLE_COUNT_TIMEZONE, topN: config.CYCLE_COUNT_TOP_N, schedules: outcomes })}\n`);
      return 0;
    }
    if (!f.site) return usage('run needs --site');
    const result = await client.workflow.execute<typeof cycleCountPlanner>(PLANNER_WORKFLOW_TYPE, {
      workflowId: `${plannerWorkflowId(f.site)}-manual-${new Date().toISOString()}`,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ site: f.site, topN: config.CYCLE_COUNT_TOP_N }],
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await connection.close();
  }
}

/** ABC classes: recomputed on demand, or a person's override (what the nightly run keeps). */
async function classes(command: 'classify' | 'set-class', f: Record<string, string>, config: Config): Promise<number> {
  if (!f.site) return usage(`${command} needs --site`);
  const db = createPool(config.DATABASE_URL, 2);
  try {
    if (command === 'classify') {
      const policy = (await getActivePolicy(db)).document;
      const bins = await loadLocationFeatures(db, f.site, policy.cycleCounting.abc.source);
      const result = await classifySite(db, f.site, policy, [...new Set(bins.flatMap((b) => b.skus))], new Date(), true);
      process.stdout.write(`${JSON.stringify({ ...result, stored: await listSkuClasses(db, f.site) })}\n`);
      return 0;
    }
    if (!f.sku || !f.by || !['A', 'B', 'C', 'none'].includes(f.class ?? '')) return usage('set-class needs --sku, --class A|B|C|none and --by');
    const skuClass = f.class === 'none' ? null : (f.class as 'A' | 'B' | 'C');
    // audited like an override through the API (PUT /v1/skus/{sku}/class)
    await changeClassOverride(db, { site: f.site, sku: f.sku, skuClass, by: f.by, reason: f.reason ?? 'set with npm run planner -- set-class' });
    process.stdout.write(`${JSON.stringify(await getSkuClass(db, f.site, f.sku))}\n`);
    return 0;
  } finally {
    await db.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`planner failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
