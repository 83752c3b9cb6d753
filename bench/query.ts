import type { Pool } from 'pg';
import { createEvidenceActivities } from '../src/activities/evidence';
import { createReferenceLedger } from '../fake-wms/ledger';
import { createLogger } from '../src/logger';
import { OPEN_CASE_STATUSES } from '../src/domain';
import { listCases } from '../src/store/discrepancy-queries';
import { countQueue } from '../src/store/inbox-queries';
import { expectStatus, httpClient, measureBounded, type HttpClient } from './http';
import { createInboxPersonas, insertSynthetic, site, type InboxPersonas } from './query-data';
import { startReckonApi, type BenchKeys } from './servers';
import type { Stack } from './stack';
import { summarize, type Latency } from './stats';

export interface QueryOptions {
  /** read-model sizes to measure at, ascending */
  rows: [number, number];
  requests: number;
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
}

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
  const names = Object.keys(QUERIES);
  const byFilter: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const all: number[] = [];
  const query = async (i: number, record: boolean) => {
    const name = names[i % names.length];
    const k = Math.floor(i / names.length);
    const q = QUERIES[name](k);
    const headers = q.auth === 'viewer' ? keys.viewer : q.auth === 'admin' ? people.admin : people.approver(k);
    const t = performance.now();
    const res = await http.get(q.path, headers);
    const ms = performance.now() - t;
    expectStatus(res, 200, `GET ${q.path} (${name})`);
    if (record) {
      byFilter[name].push(ms);
      all.push(ms);
    }
  };
  await measureBounded(names.length * 5, o.concurrency, (i) => query(i, false));
  await measureBounded(o.requests, o.concurrency, (i) => query(i, true));
  return { all: summarize(all), byFilter: Object.fromEntries(names.map((n) => [n, summarize(byFilter[n])])) };
}

/**
 * The queue's queries against a read model of each size: the bench's own rows are cleared
 * first, so the sizes are exact. HTTP latency is per request, at low concurrency.
 */
export async function runQueries(stack: Stack, keys: BenchKeys, o: QueryOptions, log: (m: string) => void): Promise<QueryAt[]> {
  const api = await startReckonApi(stack, { taskQueue: stack.config.TEMPORAL_TASK_QUEUE, poolSize: o.apiPoolSize });
  const http = httpClient(api.url, o.concurrency);
  const logger = createLogger(stack.config, 'bench-query');
  const evidence = createEvidenceActivities({ db: stack.db, ...createReferenceLedger(stack.db), logger, evidenceLookbackDays: stack.config.EVIDENCE_LOOKBACK_DAYS });
  const calls = storeCalls(stack.db);
  const results: QueryAt[] = [];
  try {
    const people: InboxPersonas = await createInboxPersonas(stack.db);
    await stack.db.query('TRUNCATE discrepancies');
    let have = 0;
    for (const rows of o.rows) {
      const t0 = Date.now();
      await insertSynthetic(stack.db, have, rows);
      have = rows;
      log(`query: ${rows} read-model rows (inserted in ${Math.round((Date.now() - t0) / 1000)} s), ${o.requests} requests`);
      const { byFilter, all } = await timeQueries(http, people, keys, o);
      const byStoreCall: Record<string, Latency> = {};
      for (const [name, call] of Object.entries(calls)) {
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
      results.push({
        rows,
        latencyMs: all,
        byFilter,
        byStoreCall,
        priorCasesMs: summarize(prior),
      });
    }
    return results;
  } finally {
    http.close();
    await api.close();
    // the synthetic cases have no audit chains: left behind, a later phase's worker verifying the
    // trail finds a million missing ones (200 MB of findings in its idle RSS)
    await stack.db.query('TRUNCATE discrepancies');
  }
}

/** Each query's p95 at both sizes and large / small (the "no worse than 2×"). */
export function perQueryP95(q: QueryAt[]): Record<string, { p95MsSmall: number; p95MsLarge: number; ratio: number }> {
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
