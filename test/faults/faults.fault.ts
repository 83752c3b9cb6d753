import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { createApiKey } from '../../src/store/api-key-repo';
import { createPool } from '../../src/store/db';
import { createPolicyVersion } from '../../src/store/policy-repo';
import { IntegrationClient, sleep } from './client';
import { FaultRun, openCases, whenSome, type Fault, type PhaseOptions, type PhaseOutcome } from './run';
import { APPROVER, FAULT_POLICY, INTEGRATION, planRun, type RunPlan } from './scenario';
import { faultSize } from './size';
import { TestBroker } from '../ingest/support';
import { FAULT_QUEUE, FaultStack } from './stack';
import { FeedReader } from './feed';
import { printFigures, type FaultFigures } from './figures';
import { skusWithMissingEvidence, verifyPhases } from './verify';

/**
 * Phases of a quarter of FAULT_CASES cases each (size.ts: 500 in full, 120 small) through the
 * API; every phase hits the engine with one fault while its cases are being reported, counted
 * and approved, then checks that nothing was lost or doubled — in this phase and every phase
 * before it (see verify.ts). The last phase runs scaled out (two workers, two API replicas behind
 * nginx) and loses one of each. The stack is the suite's own: stopping its Postgres or Redis
 * touches nobody else's tests. The phases depend on each other, in this order.
 */
const SIZE = faultSize();
const PHASE_CASES = Math.ceil(SIZE.cases / 4);
const SUBMIT_OVER_MS = SIZE.submitOverMs;
const SETTLE_WITHIN_MS = 4 * 60_000;

let stack: FaultStack;
let db: Pool;
let connection: Connection;
let temporal: Client;
let run: FaultRun;
let clients: { reporter: IntegrationClient; approver: IntegrationClient };
const phases: { plan: RunPlan; outcome: PhaseOutcome }[] = [];
const suiteStart = Date.now();
const figures: FaultFigures = { size: SIZE.name, phases: [], cases: 0, faultsInjected: 0, lost: 0, duplicated: 0, chainsVerified: 0, redeliveriesSuppressed: 0, problems: 0, wallSeconds: 0 };

beforeAll(async () => {
  stack = await FaultStack.start();
  db = createPool(stack.databaseUrl, 5);
  await createPolicyVersion(db, FAULT_POLICY, 'fault-suite', 'the fault suite policy');
  clients = {
    reporter: new IntegrationClient(() => stack.apiUrl, (await createApiKey(db, INTEGRATION)).key),
    approver: new IntegrationClient(() => stack.apiUrl, (await createApiKey(db, APPROVER)).key),
  };
  connection = await Connection.connect({ address: stack.temporal.address });
  temporal = new Client({ connection });
  run = new FaultRun(db, clients);
  process.stdout.write(`[faults] stack up in ${((Date.now() - suiteStart) / 1000).toFixed(1)} s (${stack.dir})\n`);
});

afterAll(async () => {
  await run?.stop();
  await connection?.close();
  await db?.end();
  await stack?.stop();
  figures.wallSeconds = Math.round((Date.now() - suiteStart) / 1000);
  printFigures(figures);
});

/** `injected` counts the faults the phase injected (each kill, each stop). */
async function survives(name: string, fault: Fault, injected: () => number, submit?: PhaseOptions['submit']): Promise<void> {
  const plan = planRun(name, PHASE_CASES);
  const exitsBefore = stack.unexpectedExits.length;
  const outcome = await run.phase(plan, fault, { submitOverMs: SUBMIT_OVER_MS, settleWithinMs: SETTLE_WITHIN_MS, submit });
  phases.push({ plan, outcome });
  const { problems, lost, duplicated, chainsVerified, redeliveriesSuppressed } = await verifyPhases(db, temporal, phases);
  Object.assign(figures, { cases: figures.cases + plan.cases.length, faultsInjected: figures.faultsInjected + injected(), lost, duplicated, chainsVerified, redeliveriesSuppressed, problems: problems.length });
  figures.phases.push(name);
  summarise(name, outcome, (await skusWithMissingEvidence(db, plan)).size);
  // the fault hit cases in flight, or it proved nothing
  expect(Object.values(outcome.openAtFault).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  expect(problems.slice(0, 50)).toEqual([]);
  expect(stack.unexpectedExits.slice(exitsBefore)).toEqual([]);
  // a 500 is a bug whatever the fault: an outage must answer 503 (and the client retry)
  expect([...clients.reporter.serverFaults, ...clients.approver.serverFaults]).toEqual([]);
}

function summarise(name: string, outcome: PhaseOutcome, evidenceMissing: number): void {
  const answers = Object.entries(clients).map(([who, c]) => `${who} ${JSON.stringify(Object.fromEntries(c.tally))}`);
  const t = outcome.timings;
  process.stdout.write(
    `[faults] ${name}: ${PHASE_CASES} cases; open when the fault began ${JSON.stringify(outcome.openAtFault)}; reports sent by ${(t.submitMs / 1000).toFixed(1)} s, fault over at ${(t.faultMs / 1000).toFixed(1)} s, ` +
      `all closed at ${(t.settledMs / 1000).toFixed(1)} s; ${evidenceMissing} cases gathered evidence with a source missing; worker restarts so far ${stack.workerRestarts}; answers so far: ${answers.join('; ')}\n`,
  );
}

const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

it(`the worker killed with SIGKILL ${SIZE.kills} times (every 2-4 s of its life) and restarted: nothing lost, nothing doubled`, async () => {
  let kills = 0;
  const hit: Record<string, number> = {};
  await survives('kill', {
    startAfterMs: 4000,
    inject: async () => {
      for (let i = 0; i < SIZE.kills; i++) {
        await sleep(between(2000, 4000));
        for (const [status, n] of Object.entries(await whenSome(() => openCases(db), 3000))) hit[status] = (hit[status] ?? 0) + n;
        await stack.killWorker();
        kills += 1;
        await stack.startWorker();
      }
    },
    hitDuring: () => hit,
  }, () => kills);
});

it('the Temporal dev server killed and restarted on the same port and SQLite file: nothing lost, nothing doubled', async () => {
  await survives('temporal', {
    startAfterMs: 8000,
    inject: async () => {
      await stack.temporal.kill();
      await sleep(5000);
      await stack.temporal.start();
    },
  }, () => 1);
});

it(`Postgres stopped (fast) for ${SIZE.outageMs / 1000} s mid-run: nothing lost, nothing doubled, no 500`, async () => {
  await survives('postgres', {
    startAfterMs: 5000,
    inject: async () => {
      await stack.postgres.stop('fast');
      await sleep(SIZE.outageMs);
      await stack.postgres.start();
    },
  }, () => 1);
});

it(`Redis stopped for ${SIZE.outageMs / 1000} s mid-run: nothing lost, nothing doubled, no 500`, async () => {
  await survives('redis', {
    startAfterMs: 5000,
    inject: async () => {
      await stack.redis.stop();
      await sleep(SIZE.outageMs);
      await stack.redis.start();
    },
  }, () => 1);
});

it('the RabbitMQ broker restarted (stop_app / start_app) while the consumer takes in a stream of reports: nothing lost, nothing twice', async () => {
  // the publisher confirms every message and, while the broker is away, publishes again: a
  // message whose confirm was lost in the restart arrives twice, as from a real producer
  const broker = new TestBroker(stack.rabbit.url);
  let published = 0;
  try {
    await survives('rabbitmq', {
      startAfterMs: 5000,
      // the fault meets the stream: reports still to publish, and published ones not yet a case
      inFlight: async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM discrepancies WHERE site = 'F-rabbitmq'`);
        return { to_publish: PHASE_CASES - published, published_not_yet_a_case: published - rows[0].n };
      },
      inject: async () => {
        await stack.rabbit.stopApp();
        await sleep(5000);
        await stack.rabbit.startApp();
      },
    }, () => 1, async (c) => {
      const messageId = c.report.sourceEventIds?.[0] ?? c.sku;
      await broker.publish(FAULT_QUEUE, c.report, { type: 'reckon.discrepancy', messageId });
      published += 1;
      return undefined;
    });
  } finally {
    await broker.close();
  }
});
it('scaled out to two workers and two API replicas behind nginx, the first of each killed mid-run: both served, the rest carry on, nothing lost, nothing doubled', async () => {
  await stack.scaleOut();
  // an approver's live queue, through the load balancer like every other client
  const feed = new FeedReader(() => stack.apiUrl, clients.approver.key, '/v1/stream?site=F-replicas');
  feed.start();
  let servedAtKill: number[] = [];
  let killedAt = 0;
  try {
    await survives('replicas', {
      startAfterMs: 6000,
      inject: async () => {
        servedAtKill = stack.replicaApiLogs.map(reportsServed);
        killedAt = Date.now();
        await stack.killFirstReplicas();
      },
    }, () => 2);
  } finally {
    await feed.stop();
  }
  // the load balancer spread the reports over both API replicas until the first one died
  expect(servedAtKill.every((n) => n > 0)).toBe(true);
  // the feed came as the cases moved (nginx does not buffer it), and went on after the kill: the
  // workers publish once, each replica fans out to its own streams, a dropped stream reconnects
  const closedAfterKill = new Set(feed.events.filter((e) => e.at > killedAt + 2000 && e.status === 'closed').map((e) => e.caseId));
  expect(feed.events.filter((e) => e.at < killedAt).length).toBeGreaterThan(0);
  expect(closedAfterKill.size).toBeGreaterThan(0);
  // both workers took the phase's workflow tasks: one task queue, shared
  const { caseIds } = phases.at(-1)!.outcome;
  expect((await workerIdentities([...caseIds.values()])).size).toBeGreaterThanOrEqual(2);
});

/** Reports an API process answered, by its request log. */
function reportsServed(log: string): number {
  return readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"method":"POST"') && l.includes('"path":"/v1/discrepancies"')).length;
}

/** The workers (Temporal identity) that completed workflow tasks of these cases. */
async function workerIdentities(caseIds: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ workflow_id: string }>('SELECT workflow_id FROM discrepancies WHERE id = ANY($1::text[])', [caseIds]);
  const identities = new Set<string>();
  for (const { workflow_id } of rows) {
    const history = await temporal.workflow.getHandle(workflow_id).fetchHistory();
    for (const e of history.events ?? []) if (e.workflowTaskCompletedEventAttributes?.identity) identities.add(e.workflowTaskCompletedEventAttributes.identity);
  }
  return identities;
}
