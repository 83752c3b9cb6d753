import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { ensurePlannerSchedules, PLANNER_WORKFLOW_TYPE, plannerWorkflowId } from '../planner/schedule';
import { temporalConnectionOptions } from '../temporal/connection';
import type { cycleCountPlanner } from '../workflows/cycle-count-planner';

const USAGE = `usage: npm run planner -- ensure [--sites DC1,DC2]        create or update the nightly schedule per site (default: CYCLE_COUNT_SITES)
       npm run planner -- run --site DC1 [--top N]      plan one site now and wait for the result`;

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
  if (command !== 'ensure' && command !== 'run') return usage(command ? `unknown command ${command}` : undefined);
  const f = flags(rest);
  if (typeof f === 'string') return usage(f);
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`planner failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
