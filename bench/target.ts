import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { AUTOMATIC_CASE_STATUSES } from '../src/domain';
import { httpClient, measureBounded, runBounded, type HttpClient } from './http';
import { line, summarize, type Latency } from './stats';

/**
 * `npm run bench -- --target URL --key-file FILE`: drives a stack that already runs (the compose
 * stack with its replicas behind `lb`, `API_REPLICAS=2 WORKER_REPLICAS=2 scripts/dev.sh`, a
 * staging cluster reached through a loopback tunnel) over HTTP only, with no scratch database or
 * server of its own. `--requests` reports (each a new case), `--concurrency` in flight, each
 * refused one (429) sent again after its Retry-After; then the time until every case it opened
 * has come to rest (closed, or waiting on a person), which is the workers' side; then as many
 * queue reads. Cases it opens are real cases there.
 */
export interface TargetOptions {
  url: string;
  key: string;
  requests: number;
  concurrency: number;
  site: string;
  out?: string;
}

const USAGE = 'usage: npm run bench -- --target http://127.0.0.1:3000 --key-file data/admin.key [--requests N] [--concurrency K] [--site DC1] [--out FILE]';

export function parseTargetArgs(argv: string[]): TargetOptions {
  const o: Partial<TargetOptions> = { requests: 2000, concurrency: 32, site: 'DC1' };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} takes a value\n${USAGE}`);
    if (flag === '--target') o.url = value;
    else if (flag === '--key-file') o.key = readFileSync(value, 'utf8').trim();
    else if (flag === '--requests' || flag === '--concurrency') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a positive integer\n${USAGE}`);
      o[flag === '--requests' ? 'requests' : 'concurrency'] = n;
    } else if (flag === '--site') o.site = value;
    else if (flag === '--out') o.out = value;
    else throw new Error(`unknown argument "${flag}" with --target\n${USAGE}`);
  }
  if (!o.url || !o.key) throw new Error(`--target and --key-file are both needed\n${USAGE}`);
  return o as TargetOptions;
}

interface Side {
  perSec: number;
  latencyMs: Latency;
  /** answers by HTTP status: a 429 is back-pressure, a 5xx a failure */
  statuses: Record<string, number>;
}

async function drive(total: number, concurrency: number, send: (i: number) => Promise<number>): Promise<Side> {
  const statuses: Record<string, number> = {};
  const m = await measureBounded(total, concurrency, async (i) => {
    const status = await send(i);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  return { perSec: Math.round(m.perSec * 10) / 10, latencyMs: summarize(m.latenciesMs), statuses };
}

const QUEUE_READS = ['status=awaiting_approval&sort=slaDeadline&limit=50', 'sort=-openedAt&limit=50', 'status=awaiting_approval,awaiting_recount&sort=-priority&limit=50'];

const REST_WITHIN_MS = 15 * 60_000;

interface Rest {
  /** cases brought to rest per second, first report sent to the last case at rest */
  casesPerSec: number;
  /** after the last 202, until the last case was at rest */
  drainMs: number;
  /** every accepted case read back by its id: how many ended where */
  outcomes: Record<string, number>;
}

/** Polls the queue for this run's cases still in an automatic status until there are none. */
async function untilAtRest(http: HttpClient, auth: Record<string, string>, o: TargetOptions, skuPrefix: string): Promise<void> {
  const deadline = Date.now() + REST_WITHIN_MS;
  for (;;) {
    const page = await http.get(`/v1/discrepancies?site=${o.site}&status=${AUTOMATIC_CASE_STATUSES.join(',')}&limit=200`, auth);
    if (page.status !== 200) throw new Error(`the queue answered ${page.status}: ${JSON.stringify(page.body)}`);
    const items = (page.body as { items: { sku: string }[] }).items;
    if (!items.some((c) => c.sku.startsWith(skuPrefix))) return;
    if (Date.now() > deadline) throw new Error(`cases still in automatic steps after ${REST_WITHIN_MS / 60_000} min`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Each accepted case by its own link: lost or unknown ones show as their HTTP status. */
async function outcomesOf(http: HttpClient, auth: Record<string, string>, ids: string[], concurrency: number): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  await runBounded(ids.length, concurrency, async (i) => {
    const res = await http.get(`/v1/discrepancies/${ids[i]}`, auth);
    const c = res.body as { status?: string; resolution?: string | null };
    const key = res.status === 200 ? [c.status, c.resolution].filter(Boolean).join('/') : `HTTP ${res.status}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  });
  return outcomes;
}

export async function runAgainstTarget(argv: string[]): Promise<number> {
  const o = parseTargetArgs(argv);
  const http = httpClient(o.url, o.concurrency);
  const auth = { authorization: `Bearer ${o.key}` };
  const run = randomUUID().slice(0, 8);
  const skuPrefix = `BENCH-${run}-`;
  try {
    const health = await http.get('/readyz');
    console.log(`target ${o.url}: /readyz ${health.status}`);
    const ids: string[] = [];
    let refused = 0;
    const started = Date.now();
    // each report its own sku, so each opens a case (a merge would be cheaper than the real mix)
    const intake = await drive(o.requests, o.concurrency, async (i) => {
      const sku = `${skuPrefix}${i}`;
      const report = { kind: 'count_variance', site: o.site, sku, location: 'A-01-01', expectedQty: 40, observedQty: 37, unitCost: 7.8, skuClass: 'C', source: 'wms', sourceEventIds: [`${sku}-CNT`] };
      for (;;) {
        const res = await http.post('/v1/discrepancies', report, { ...auth, 'idempotency-key': `bench-${run}-${i}` });
        if (res.status !== 429) {
          if (res.status === 202) ids.push((res.body as { id: string }).id);
          return res.status;
        }
        // back-pressure: the same report again after the wait it asks for (its key makes it one case)
        refused += 1;
        await new Promise((r) => setTimeout(r, (Number(res.headers['retry-after']) || 1) * 1000 * (0.5 + Math.random())));
      }
    });
    const lastAccepted = Date.now();
    console.log(line('POST /v1/discrepancies', intake.perSec, 'req/s'));
    console.log(line('POST /v1/discrepancies p95', intake.latencyMs.p95, 'ms'));
    console.log(`  answers: ${JSON.stringify(intake.statuses)}, 429 answers sent again: ${refused}`);
    await untilAtRest(http, auth, o, skuPrefix);
    const atRest = Date.now();
    const rest: Rest = {
      casesPerSec: Math.round((ids.length / ((atRest - started) / 1000)) * 10) / 10,
      drainMs: atRest - lastAccepted,
      outcomes: await outcomesOf(http, auth, ids, Math.min(o.concurrency, 16)),
    };
    console.log(line('cases brought to rest', rest.casesPerSec, 'cases/s'));
    console.log(line('  after the last 202', rest.drainMs, 'ms'));
    console.log(`  where they are: ${JSON.stringify(rest.outcomes)}`);
    const reads = await drive(o.requests, Math.min(o.concurrency, 8), async (i) => (await http.get(`/v1/discrepancies?${QUEUE_READS[i % QUEUE_READS.length]}`, auth)).status);
    console.log(line('GET /v1/discrepancies', reads.perSec, 'req/s'));
    console.log(line('GET /v1/discrepancies p95', reads.latencyMs.p95, 'ms'));
    console.log(`  answers: ${JSON.stringify(reads.statuses)}`);
    if (o.out) writeFileSync(o.out, `${JSON.stringify({ target: o.url, requests: o.requests, concurrency: o.concurrency, intake: { ...intake, refused }, rest, reads }, null, 2)}\n`);
    const failed = [intake, reads].some((s) => Object.keys(s.statuses).some((k) => Number(k) >= 500 || Number(k) === 0));
    const lost = Object.keys(rest.outcomes).some((k) => k.startsWith('HTTP'));
    return failed || lost || ids.length !== o.requests ? 1 : 0;
  } finally {
    http.close();
  }
}
