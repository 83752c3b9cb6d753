import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { createPool } from '../../src/store/db';
import { createApiKey } from '../../src/store/api-key-repo';
import { createPolicyVersion } from '../../src/store/policy-repo';
import { IntegrationClient, sleep } from './client';
import { runWithFault, type Fault, type RunOutcome } from './run';
import { APPROVER, FAULT_POLICY, INTEGRATION, planRun } from './scenario';
import { FaultStack } from './stack';
import { verifyRun } from './verify';

/**
 * Each test pushes a run of cases with known end states through the API while one fault hits
 * the engine, then checks that nothing was lost or doubled (see verify.ts). The stack is the
 * suite's own: stopping its Postgres or Redis touches nobody else's tests.
 */
const CASES = Number(process.env.FAULT_CASES ?? 500);
const SUBMIT_OVER_MS = 30_000;
const SETTLE_WITHIN_MS = 4 * 60_000;

let stack: FaultStack;
let db: Pool;
let connection: Connection;
let temporal: Client;
let keys: { reporter: string; approver: string };

beforeAll(async () => {
  stack = await FaultStack.start();
  db = createPool(stack.databaseUrl, 5);
  await createPolicyVersion(db, FAULT_POLICY, 'fault-suite');
  keys = { reporter: (await createApiKey(db, INTEGRATION)).key, approver: (await createApiKey(db, APPROVER)).key };
  connection = await Connection.connect({ address: stack.temporal.address });
  temporal = new Client({ connection });
});

afterAll(async () => {
  await connection?.close();
  await db?.end();
  await stack?.stop();
});

async function survives(name: string, fault: Fault): Promise<void> {
  const clients = {
    reporter: new IntegrationClient(() => stack.apiUrl, keys.reporter),
    approver: new IntegrationClient(() => stack.apiUrl, keys.approver),
  };
  const plan = planRun(name, CASES);
  const outcome = await runWithFault(db, clients, plan, fault, { submitOverMs: SUBMIT_OVER_MS, settleWithinMs: SETTLE_WITHIN_MS });
  const problems = await verifyRun(db, temporal, plan, outcome);
  summarise(name, outcome, clients);
  expect(problems.slice(0, 50)).toEqual([]);
  expect([...clients.reporter.serverFaults, ...clients.approver.serverFaults]).toEqual([]);
}

function summarise(name: string, outcome: RunOutcome, clients: Record<string, IntegrationClient>): void {
  const answers = Object.entries(clients).map(([who, c]) => `${who} ${JSON.stringify(Object.fromEntries(c.tally))}`);
  const t = outcome.timings;
  process.stdout.write(
    `[faults] ${name}: ${CASES} cases; reports sent by ${(t.submitMs / 1000).toFixed(1)} s, fault over at ${(t.faultMs / 1000).toFixed(1)} s, ` +
      `all closed at ${(t.settledMs / 1000).toFixed(1)} s; worker restarts so far ${stack.workerRestarts}; answers: ${answers.join('; ')}\n`,
  );
}

const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

it('the worker killed with SIGKILL six times (every 2-4 s of its life) and restarted: nothing lost, nothing doubled', async () => {
  await survives('kill', {
    startAfterMs: 3000,
    inject: async () => {
      for (let i = 0; i < 6; i++) {
        await sleep(between(2000, 4000));
        await stack.killWorker();
        await stack.startWorker();
      }
    },
  });
});

it('the Temporal dev server killed and restarted on the same port and SQLite file: nothing lost, nothing doubled', async () => {
  await survives('temporal', {
    startAfterMs: 8000,
    inject: async () => {
      await stack.temporal.kill();
      await sleep(5000);
      await stack.temporal.start();
    },
  });
});

it('Postgres stopped (fast) for 20 s mid-run: nothing lost, nothing doubled, no 500', async () => {
  await survives('postgres', {
    startAfterMs: 8000,
    inject: async () => {
      await stack.postgres.stop('fast');
      await sleep(20_000);
      await stack.postgres.start();
    },
  });
});

it('Redis stopped for 20 s mid-run: nothing lost, nothing doubled, no 500', async () => {
  await survives('redis', {
    startAfterMs: 8000,
    inject: async () => {
      await stack.redis.stop();
      await sleep(20_000);
      await stack.redis.start();
    },
  });
});
