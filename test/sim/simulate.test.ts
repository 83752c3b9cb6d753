import type { Server } from 'node:http';
import Redis from 'ioredis';
import { createApp } from '../../src/api/app';
import { intakePortsFor } from '../support/api';
import { SimClient } from '../../src/sim/client';
import { DAY } from '../../src/sim/context';
import { plannerNights, simTimeline } from '../../src/sim/driver';
import { temporalNightPlanner } from '../../src/sim/night-planner';
import { runSimulation, type RunResult } from '../../src/sim/run';
import { computeScorecard, matches } from '../../src/sim/scorecard';
import { DEFAULT_SHAPE } from '../../src/sim/warehouse';
import { createApiKey } from '../../src/store/api-key-repo';
import { startEngine, type Engine } from '../support/engine';
import { createIsolatedDatabase } from '../schema/isolated-db';

// its own database: the run posts its own policy version, which must not become other files' policy
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let engine: Engine;
let redis: Redis;
let server: Server;
let result: RunResult;

const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());

beforeAll(async () => {
  db = await createIsolatedDatabase('sim');
  engine = await startEngine({ DATABASE_URL: db.url, RATE_LIMIT_PER_MINUTE: 1_000_000 });
  redis = new Redis(engine.config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  await redis.connect();
  const app = createApp({ temporal: engine.client, db: engine.db, redis, config: engine.config, intakePorts: intakePortsFor(engine) });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;
  const { key } = await createApiKey(engine.db, { userId: 'simulator', roles: ['admin', 'integration'], sites: ['*'] });
  // one simulated day of a small two-site network at 5000×: about 17 s of stream, then the drain
  result = await runSimulation(
    new SimClient(`http://127.0.0.1:${port}`, key),
    { seed: 4, days: 1, start: today - DAY, shape: { ...DEFAULT_SHAPE, skus: 18, ordersPerDay: 24, sitePrefix: 'SIM' }, faultsPerSiteDay: 2, speed: 5000, postPolicy: true, settleTimeoutMs: 60_000, scorer: 'bayes-v2',
      planner: temporalNightPlanner({ temporal: engine.client, db: engine.db, taskQueue: engine.config.TEMPORAL_TASK_QUEUE, topN: 50 }) },
    engine.db,
  );
}, 240_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  redis?.disconnect();
  await engine?.stop();
  await db?.drop();
});

describe('a one-day simulation against the engine', () => {
  it('delivers every event; redeliveries are recognised and change nothing', () => {
    const e = result.record.events;
    expect(e.invalid).toBe(0);
    expect(e.redeliveriesSent).toBeGreaterThan(0);
    expect(e.duplicate).toBe(e.redeliveriesSent);
    expect(e.accepted + e.duplicate).toBe(e.sent);
  });

  it('finds the faults the intake sees at once (mis-scans, pilfering, expired lots, duplicate receipts), each by a case that matches it', () => {
    const { sim, scorecard, record } = result;
    const simOf = simTimeline(record.timeline, record.speed);
    for (const kind of ['mis_scan', 'pilfering_user', 'expired_lot', 'duplicate_delivery'] as const) {
      const faults = sim.faults.filter((f) => f.kind === kind);
      expect(faults.length).toBeGreaterThan(0);
      for (const f of faults) expect(record.cases.some((c) => matches(c, simOf(Date.parse(c.openedAt)), f))).toBe(true);
      expect(scorecard.perKind[kind]).toMatchObject({ injected: faults.length, detected: faults.length, recall: 1 });
    }
  });

  it('scores what the engine did: the scorecard is the one recomputed from the cases read back', () => {
    const { sim, record, scorecard } = result;
    const again = computeScorecard({ faults: sim.faults, books: sim.books, cases: record.cases, autoResolved: record.autoResolved, details: record.details, incidents: record.incidents, simOf: simTimeline(record.timeline, record.speed) });
    expect(again).toEqual(scorecard);
    expect(scorecard.cases.total).toBe(record.cases.length);
    expect(scorecard.cases.matched).toBeGreaterThan(0);
    expect(scorecard.autoResolved).toBe(record.cases.filter((c) => c.resolution === 'auto_resolved').length);
    // scorer v2 gives every case a probability that it is real, scored against the ground truth
    expect(scorecard.calibration.forecastCases).toBe(record.cases.length);
    expect(scorecard.brier).not.toBeNull();
    expect(scorecard.brierPrior).not.toBeNull();
    expect(record.incidents).not.toBeNull(); // the engine serves GET /v1/incidents
    expect(scorecard.alerts.clusteredBy).toBe('api');
  });

  it('runs the cycle-count planner each simulated night and counts its tasks: only a bin a fault left wrong opens a case', () => {
    const { sim, record } = result;
    const planned = record.plannedCounts!;
    expect(planned.plans).toBe(plannerNights(sim).length * sim.warehouse.sites.length);
    expect(planned.tasks).toBeGreaterThan(0);
    expect(planned.answered).toBe(planned.tasks);
    // every count that differed from the WMS opened a case a fault explains; agreeing counts opened none
    const simOf = simTimeline(record.timeline, record.speed);
    for (const id of planned.caseIds) {
      const c = record.cases.find((x) => x.id === id)!;
      expect(c).toBeDefined();
      expect(sim.faults.some((f) => matches(c, simOf(Date.parse(c.openedAt)), f))).toBe(true);
    }
    expect(planned.variances).toBeLessThan(planned.answered);
  });
});
