import type { Pool } from 'pg';
import { createEvidenceActivities } from '../src/activities/evidence';
import type { Config } from '../src/config';
import { createReferenceLedger } from '../fake-wms/ledger';
import { createLogger } from '../src/logger';
import { OPEN_CASE_STATUSES } from '../src/domain';
import { createApiKey } from '../src/store/api-key-repo';
import { createPool } from '../src/store/db';
import { listCases } from '../src/store/discrepancy-queries';
import { countQueue } from '../src/store/inbox-queries';
import { migrate } from '../src/store/migrate';
import { startCpuProbe, type CpuUse } from './cpu';
import { expectStatus, httpClient, measureBounded, type HttpClient } from './http';
import { createInboxPersonas, insertSynthetic, site, type InboxPersonas } from './query-data';
import { createScratchDatabase } from './scratch-db';
import { startReckonApi, type BenchKeys } from './servers';
import type { Stack } from './stack';
import { pairedRatios, round, summarize, type Latency } from './stats';

export interface QueryOptions {
  /** read-model sizes to measure at, ascending */
  rows: [number, number];
  /** requests at each size, split over the rounds */
  requests: number;
  /** rounds per size, the sizes in turn */
  rounds: number;
  concurrency: number;
  apiPoolSize: number;
}

export interface QueryAt {
  rows: number;
  /** every HTTP request of the phase (API list and inbox queue) */
  latencyMs: Latency;
  /** each HTTP query (API `GET /v1/discrepancies`, inbox `GET /app/queue/results`) */
  byFilter: Record<string, Latency>;
  /** store calls timed alone: the inbox's counts, the case page's related cases */
  byStoreCall: Record<string, Latency>;
  /** the evidence lookup every case makes (findPriorCases), called directly, one at a time */
  priorCasesMs: Latency;
  /** the p95 of every HTTP query in each round */
  roundP95Ms: number[];
  /** the share of the machine that processes other than the bench's, its Temporal server and this size's Postgres backends used while this size was timed */
  othersShare: number;
}

export interface QueryResult {
  /** small, large */
  sizes: [QueryAt, QueryAt];
  /** the large size's p95 over the small one's, round by round (timed one after the other), and their median */
  paired: { byRound: number[]; median: number };
}

/** The small size's database: a second scratch database, dropped by a later run if this one is killed. */
const SMALL_DB_PREFIX = 'reckon_benchq_';

const STORE_CALLS = 40;
const OPEN = OPEN_CASE_STATUSES;

type Request = (k: number) => { path: string; auth: 'viewer' | 'admin' | 'approver' };

/**
 * What people and integrations ask of the queue. `api:` is GET /v1/discrepancies (an
 * approver's filters, a sort, 50 rows); `inbox:` is the inbox's queue (GET /app/queue/results:
 * the page by SLA left, within the person's sites and roles, and the counts of every filter).
 */
const QUERIES: Record<string, Request> = {
  'api: site+status+severity, newest': (k) => ({ auth: 'viewer', path: `/v1/discrepancies?status=awaiting_approval&site=${site(k)}&severity=review&sort=-openedAt&limit=50` }),
  'api: sites+statuses+severities, by value': (k) => ({
    auth: 'viewer',
    path: `/v1/discrepancies?status=awaiting_approval,awaiting_recount&site=${site(k)},${site(k + 1)}&severity=high,critical&sort=-valueAtRisk&limit=50`,
  }),
  'api: site+status, by SLA deadline': (k) => ({ auth: 'viewer', path: `/v1/discrepancies?status=awaiting_approval&site=${site(k)}&sort=slaDeadline&limit=50` }),
  'api: all sites, open, by priority': () => ({
    auth: 'viewer',
    path: `/v1/discrepancies?status=awaiting_approval,awaiting_recount,gathering_evidence&severity=review,high&sort=-priority&limit=50`,
  }),
  'api: sku, newest': (k) => ({ auth: 'viewer', path: `/v1/discrepancies?sku=SKU-${(k * 37) % 20000}&limit=50` }),
  'inbox: approver, my queue': () => ({ auth: 'approver', path: '/app/queue/results' }),
  'inbox: approver, status+severity+kind': () => ({ auth: 'approver', path: `/app/queue/results?status=awaiting_approval&severity=review&kind=count_variance` }),
  'inbox: approver, mine': () => ({ auth: 'approver', path: `/app/queue/results?mine=1` }),
  'inbox: admin, every site': () => ({ auth: 'admin', path: `/app/queue/results` }),
  'inbox: admin, site+breached': (k) => ({ auth: 'admin', path: `/app/queue/results?site=${site(k)}&breached=1` }),
  'inbox: admin, assignee': (k) => ({ auth: 'admin', path: `/app/queue/results?assignee=user-${k % 50}` }),
  'inbox: admin, search sku': (k) => ({ auth: 'admin', path: `/app/queue/results?q=SKU-${(k * 37) % 20000}` }),
  'inbox: admin, search event id': (k) => ({ auth: 'admin', path: `/app/queue/results?q=SYN-${k * 7919}` }),
  // a location fragment that a fifth of the cases match: the page without counts
  'inbox: admin, broad search': (k) => ({ auth: 'admin', path: `/app/queue/results?q=A-${1 + (k % 9)}` }),
};

/** The store calls behind the pages, timed alone (one at a time). */
function storeCalls(db: Pool): Record<string, (k: number) => Promise<unknown>> {
  return {
    'counts: approver, two sites': (k) => countQueue(db, { visibleSites: [site(2 * k), site(2 * k + 1)], ownerRoles: ['inventory_control'] }, `user-${2 * k}`),
    'counts: admin, every site': (k) => countQueue(db, {}, `user-${k}`),
    'counts: ops, breached, every site': (k) => countQueue(db, { breached: true }, `user-${k}`),
    'case page: related open cases': (k) => listCases(db, { site: [site(k)], sku: `SKU-${k * 41}`, status: OPEN }, { sort: '-openedAt', limit: 6 }),
  };
}

/** Each request's latency, all together and by query. */
interface QuerySamples {
  all: number[];
  byFilter: Record<string, number[]>;
}

const emptySamples = (): QuerySamples => ({ all: [], byFilter: Object.fromEntries(Object.keys(QUERIES).map((n) => [n, []])) });

/** A read model under test: Reckon's API on its database, and the people who ask it. */
interface Target {
  http: HttpClient;
  people: InboxPersonas;
  viewer: Record<string, string>;
}

/**
 * Requests `from`..`from+count-1` of the mix of QUERIES, `concurrency` at a time; each request's
 * latency goes into `into` unless it is a warm-up.
 */
async function runMix(t: Target, from: number, count: number, concurrency: number, into?: QuerySamples): Promise<void> {
  const names = Object.keys(QUERIES);
  await measureBounded(count, concurrency, async (j) => {
    const i = from + j;
    const name = names[i % names.length];
    const k = Math.floor(i / names.length);
    const q = QUERIES[name](k);
    const headers = q.auth === 'viewer' ? t.viewer : q.auth === 'admin' ? t.people.admin : t.people.approver(k);
    const started = performance.now();
    const res = await t.http.get(q.path, headers, 'status');
    const ms = performance.now() - started;
    expectStatus(res, 200, `GET ${q.path} (${name})`);
    into?.byFilter[name].push(ms);
    into?.all.push(ms);
  });
}

/** Five of each query, unrecorded: the API's first requests pay for its code's compilation and its snapshots. */
const warmUp = (t: Target, concurrency: number) => runMix(t, 0, Object.keys(QUERIES).length * 5, concurrency);

const summarizeSamples = (s: QuerySamples) => ({
  all: summarize(s.all),
  byFilter: Object.fromEntries(Object.entries(s.byFilter).map(([n, v]) => [n, summarize(v)])),
});

/**
 * The mix of QUERIES, `o.requests` of them `o.concurrency` at a time (after a warm-up of five of
 * each), timed per request.
 */
export async function timeQueries(
  http: HttpClient,
  people: InboxPersonas,
  keys: Pick<BenchKeys, 'viewer'>,
  o: Pick<QueryOptions, 'requests' | 'concurrency'>,
): Promise<{ all: Latency; byFilter: Record<string, Latency> }> {
  const target = { http, people, viewer: keys.viewer };
  const samples = emptySamples();
  await warmUp(target, o.concurrency);
  await runMix(target, 0, o.requests, o.concurrency, samples);
  return summarizeSamples(samples);
}

/** One size of read model: its own database, filled, and its own API (so its own search sample and snapshots). */
interface Size extends Target {
  rows: number;
  db: Pool;
  database: string;
  samples: QuerySamples;
  roundP95: number[];
  cpu: CpuUse[];
  close(): Promise<void>;
}

/**
 * The queue's queries against read models of both sizes, each in its own database (the large
 * one the stack's, the small one a second scratch database) behind its own API. The sizes are
 * timed in alternating rounds, so a stretch of other work on the shared machine lands on both,
 * not on whichever size was timed then. HTTP latency is per request, at low concurrency.
 */
export async function runQueries(stack: Stack, o: QueryOptions, log: (m: string) => void): Promise<QueryResult> {
  const logger = createLogger(stack.config, 'bench-query');
  const small = await createScratchDatabase(stack.config.MIGRATION_DATABASE_URL, SMALL_DB_PREFIX);
  const smallDb = createPool(small.url, 4, { statementTimeoutMs: 0 });
  const sizes: Size[] = [];
  try {
    await migrate(smallDb);
    // the bench's own rows are cleared first, so the sizes are exact
    await stack.db.query('TRUNCATE discrepancies');
    const open = async (rows: number, db: Pool, database: string, config: Config): Promise<Size> => {
      const t0 = Date.now();
      await insertSynthetic(db, 0, rows);
      log(`query: ${rows} read-model rows in ${database} (inserted in ${Math.round((Date.now() - t0) / 1000)} s)`);
      const { key } = await createApiKey(db, { userId: 'bench-query-viewer', roles: ['viewer'], sites: ['*'] });
      const people = await createInboxPersonas(db);
      const api = await startReckonApi({ config, temporal: stack.temporal }, { taskQueue: config.TEMPORAL_TASK_QUEUE, poolSize: o.apiPoolSize });
      const http = httpClient(api.url, o.concurrency);
      const size: Size = {
        rows, db, database, http, people, viewer: { authorization: `Bearer ${key}` },
        samples: emptySamples(), roundP95: [], cpu: [],
        async close() {
          http.close();
          await api.close();
        },
      };
      sizes.push(size);
      return size;
    };
    const [smaller, larger] = [
      await open(o.rows[0], smallDb, small.name, { ...stack.config, DATABASE_URL: small.url, MIGRATION_DATABASE_URL: small.url }),
      await open(o.rows[1], stack.db, stack.database, stack.config),
    ];
    for (const s of sizes) await warmUp(s, o.concurrency);
    const perRound = Math.ceil(o.requests / o.rounds);
    log(`query: ${o.rounds} rounds of ${perRound} requests at each size, the sizes in turn`);
    for (let r = 0; r < o.rounds; r++) {
      const from = r * perRound;
      const count = Math.min(perRound, o.requests - from);
      // the order alternates, so neither size always follows the other
      for (const s of r % 2 === 0 ? [smaller, larger] : [larger, smaller]) {
        const round = emptySamples();
        const probe = startCpuProbe({ node: [process.pid], temporal: [stack.pids.temporal] }, { db: s.db, database: s.database });
        await runMix(s, from, count, o.concurrency, round);
        s.cpu.push(await probe.stop());
        s.roundP95.push(summarize(round.all).p95);
        for (const [name, ms] of Object.entries(round.byFilter)) s.samples.byFilter[name].push(...ms);
        s.samples.all.push(...round.all);
      }
    }
    const result = async (s: Size): Promise<QueryAt> => {
      const { all, byFilter } = summarizeSamples(s.samples);
      const { byStoreCall, priorCasesMs } = await timeStoreCalls(s.db, s.rows, stack, logger);
      return { rows: s.rows, latencyMs: all, byFilter, byStoreCall, priorCasesMs, roundP95Ms: s.roundP95, othersShare: othersShare(s.cpu) };
    };
    return { sizes: [await result(smaller), await result(larger)], paired: pairedRatios(larger.roundP95, smaller.roundP95) };
  } finally {
    for (const s of sizes) await s.close();
    await smallDb.end();
    await small.drop();
    // the synthetic cases have no audit chains: left behind, a later phase's worker verifying the
    // trail finds a million missing ones (200 MB of findings in its idle RSS)
    await stack.db.query('TRUNCATE discrepancies');
  }
}

/** The other processes' share of the machine over a size's rounds (their wall time weighs each). */
function othersShare(cpu: CpuUse[]): number {
  const wall = cpu.reduce((n, c) => n + c.wallMs, 0);
  return wall > 0 ? round(cpu.reduce((n, c) => n + c.others * c.wallMs, 0) / wall, 3) : 0;
}

/** The store calls behind the pages and the evidence lookup, timed alone (one at a time, sequentially: not in the rounds). */
async function timeStoreCalls(db: Pool, rows: number, stack: Stack, logger: ReturnType<typeof createLogger>) {
  const evidence = createEvidenceActivities({ db, ...createReferenceLedger(db), logger, evidenceLookbackDays: stack.config.EVIDENCE_LOOKBACK_DAYS });
  const byStoreCall: Record<string, Latency> = {};
  for (const [name, call] of Object.entries(storeCalls(db))) {
    const samples: number[] = [];
    for (let k = 0; k < STORE_CALLS; k++) {
      const t = performance.now();
      await call(k);
      samples.push(performance.now() - t);
    }
    byStoreCall[name] = summarize(samples);
  }
  const prior: number[] = [];
  for (let k = 0; k < STORE_CALLS; k++) {
    const g = Math.floor((k * rows) / STORE_CALLS);
    const t = performance.now();
    await evidence.findPriorCases({ caseId: `bench-${k}`, dedupeKey: `syn|${g}`, sourceEventIds: [`SYN-${g}`] });
    prior.push(performance.now() - t);
  }
  return { byStoreCall, priorCasesMs: summarize(prior) };
}

/** Each query's p95 at both sizes and large / small (the "no worse than 2×"). */
export function perQueryP95(q: [QueryAt, QueryAt]): Record<string, { p95MsSmall: number; p95MsLarge: number; ratio: number }> {
  const [small, large] = q;
  const out: Record<string, { p95MsSmall: number; p95MsLarge: number; ratio: number }> = {};
  const add = (name: string, a: Latency, b: Latency) => {
    out[name] = { p95MsSmall: a.p95, p95MsLarge: b.p95, ratio: a.p95 > 0 ? Math.round((b.p95 / a.p95) * 100) / 100 : NaN };
  };
  for (const name of Object.keys(small.byFilter)) add(name, small.byFilter[name], large.byFilter[name]);
  for (const name of Object.keys(small.byStoreCall)) add(name, small.byStoreCall[name], large.byStoreCall[name]);
  add('evidence: prior cases', small.priorCasesMs, large.priorCasesMs);
  return out;
}
