import { readFileSync, readdirSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../src/config';
import { createApiKey } from '../src/store/api-key-repo';
import { createPool } from '../src/store/db';
import { processTicks } from './cpu';
import { httpClient } from './http';
import { timeQueries } from './query';
import { createInboxPersonas } from './query-data';
import { startReckonApi } from './servers';

/**
 * `npx tsx bench/query-mix.ts DATABASE_URL [RUNS]`: the query phase's mix (bench/query.ts),
 * 800 requests 4 at a time, RUNS times against a database already filled (bench/query-fill.ts),
 * through Reckon's API in this process, with the CPU per request of this process (API and
 * client) and of every Postgres backend on the machine. For a change to the queue's queries
 * measured again and again without the phase's fill; the first run is the cold one.
 */
const REQUESTS = 800;

/** CPU ticks (1/100 s) of every postgres process, from /proc. */
function postgresTicks(): number {
  let sum = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let command: string;
    try {
      command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue; // the process ended while being read
    }
    if (command === 'postgres') sum += processTicks(Number(pid)) ?? 0;
  }
  return sum;
}

async function main(): Promise<void> {
  const [url, runsArg] = process.argv.slice(2);
  const runs = Number(runsArg ?? 3);
  if (!url || !Number.isInteger(runs) || runs <= 0) throw new Error('usage: npx tsx bench/query-mix.ts DATABASE_URL [RUNS]');
  // as the bench's stack runs the API: request logs off, no rate limit; the queue never calls Temporal
  const config: Config = { ...loadConfig(), DATABASE_URL: url, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: 1_000_000 };
  const temporal = new Client({ connection: Connection.lazy({ address: config.TEMPORAL_ADDRESS }) });
  const setup = createPool(url, 2, { statementTimeoutMs: 0 });
  const api = await startReckonApi({ config, temporal }, { taskQueue: config.TEMPORAL_TASK_QUEUE, poolSize: 10 });
  const http = httpClient(api.url, 4);
  try {
    const people = await createInboxPersonas(setup);
    const { key } = await createApiKey(setup, { userId: 'bench-viewer', roles: ['viewer'], sites: ['*'] });
    for (let run = 0; run < runs; run++) {
      const cpu = process.cpuUsage();
      const pg = postgresTicks();
      const { all, byFilter } = await timeQueries(http, people, { viewer: { authorization: `Bearer ${key}` } }, { requests: REQUESTS, concurrency: 4 });
      const used = process.cpuUsage(cpu);
      const nodeMs = (used.user + used.system) / 1000;
      const pgMs = (postgresTicks() - pg) * 10;
      // the warm-up's requests are in the CPU too
      const perRequest = (ms: number) => (ms / (REQUESTS + Object.keys(byFilter).length * 5)).toFixed(1);
      console.log(`run ${run + 1}: p50 ${all.p50} ms, p95 ${all.p95} ms; CPU a request: this process ${perRequest(nodeMs)} ms, Postgres ${perRequest(pgMs)} ms`);
      for (const [name, l] of Object.entries(byFilter)) console.log(`   ${name.padEnd(44)} p50 ${String(l.p50).padStart(6)}  p95 ${String(l.p95).padStart(6)}`);
    }
  } finally {
    http.close();
    await api.close();
    await setup.end();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
