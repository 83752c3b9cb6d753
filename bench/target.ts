import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { httpClient, measureBounded } from './http';
import { line, summarize, type Latency } from './stats';

/**
 * `npm run bench -- --target URL --key-file FILE`: drives a stack that already runs (the compose
 * stack with its replicas behind `lb`, a staging cluster reached through a loopback tunnel) over
 * HTTP only, with no scratch database or server of its own: report intake and queue reads, as
 * many of each as `--requests`, `--concurrency` in flight. Cases it opens are real cases there.
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

export async function runAgainstTarget(argv: string[]): Promise<number> {
  const o = parseTargetArgs(argv);
  const http = httpClient(o.url, o.concurrency);
  const auth = { authorization: `Bearer ${o.key}` };
  const run = randomUUID().slice(0, 8);
  try {
    const health = await http.get('/readyz');
    console.log(`target ${o.url}: /readyz ${health.status}`);
    // each report its own sku, so each opens a case (a merge would be cheaper than the real mix)
    const intake = await drive(o.requests, o.concurrency, async (i) => {
      const sku = `BENCH-${run}-${i}`;
      const report = { kind: 'count_variance', site: o.site, sku, location: 'A-01-01', expectedQty: 40, observedQty: 37, unitCost: 7.8, skuClass: 'C', source: 'wms', sourceEventIds: [`${sku}-CNT`] };
      return (await http.post('/v1/discrepancies', report, { ...auth, 'idempotency-key': `bench-${run}-${i}` })).status;
    });
    console.log(line('POST /v1/discrepancies', intake.perSec, 'req/s'));
    console.log(line('POST /v1/discrepancies p95', intake.latencyMs.p95, 'ms'));
    console.log(`  answers: ${JSON.stringify(intake.statuses)}`);
    const reads = await drive(o.requests, Math.min(o.concurrency, 8), async (i) => (await http.get(`/v1/discrepancies?${QUEUE_READS[i % QUEUE_READS.length]}`, auth)).status);
    console.log(line('GET /v1/discrepancies', reads.perSec, 'req/s'));
    console.log(line('GET /v1/discrepancies p95', reads.latencyMs.p95, 'ms'));
    console.log(`  answers: ${JSON.stringify(reads.statuses)}`);
    if (o.out) writeFileSync(o.out, `${JSON.stringify({ target: o.url, requests: o.requests, concurrency: o.concurrency, intake, reads }, null, 2)}\n`);
    const failed = [intake, reads].some((s) => Object.keys(s.statuses).some((k) => Number(k) >= 500 || Number(k) === 0));
    return failed ? 1 : 0;
  } finally {
    http.close();
  }
}
