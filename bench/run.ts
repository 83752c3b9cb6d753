/**
 * npm run bench [-- --quick] [--out FILE] [--cases N] [--concurrency K] [--rounds R] [--waiting N]
 *               [--worker-heap-mb N] [--worker-cache N]
 *               [--rows SMALL,LARGE] [--requests N] [--burst N] [--events N] [--mttd-seconds S]
 *               [--phases throughput,ingest,rss,query,burst,events,mttd]
 *
 * Reckon against bare Temporal on a stack of its own (docs/performance.md): throughput and
 * latency of auto-resolved cases against a no-op workflow of the same shape, intake against a
 * bare express endpoint, queue queries at two read-model sizes, worker RSS with cases waiting.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { workerTuning } from '../src/workers/build';
import { runBurst, type BurstResult } from './burst';
import { type IngestResult, runIngest } from './ingest';
import { eventsPhase } from './events';
import { mttdPhase } from './mttd';
import { machineInfo } from './machine';
import { perQueryP95, runQueries, type QueryResult } from './query';
import { runAgainstTarget } from './target';
import { runRss, type RssResult } from './rss';
import { createBenchKeys } from './servers';
import { startStack } from './stack';
import { line, pairedRatios, ratio } from './stats';
import { runThroughput, type SideResult, type ThroughputResult } from './throughput';

const PHASES = ['throughput', 'ingest', 'rss', 'query', 'burst', 'events', 'mttd'] as const;
type Phase = (typeof PHASES)[number];

interface Options {
  quick: boolean;
  out?: string;
  cases: number;
  warmup: number;
  concurrency: number;
  rounds: number;
  waiting: number;
  /** rss phase: the worker's heap limit and sticky cache, docker-compose.yml's by default (0: Node's / the SDK's) */
  workerHeapMb: number;
  workerCache: number;
  rows: [number, number];
  requests: number;
  /** reports in the burst phase (256 in flight) */
  burst: number;
  phases: Phase[];
  workerPoolSize: number;
  apiPoolSize: number;
  /** events phase: events per side; mttd phase: seconds at 200 events/s */
  events: number;
  mttdSeconds: number;
}

const USAGE = 'usage: npm run bench -- [--quick] [--out FILE] [--cases N] [--concurrency K] [--rounds R] [--waiting N] [--worker-heap-mb N] [--worker-cache N] [--rows SMALL,LARGE] [--requests N] [--burst N] [--events N] [--mttd-seconds S] [--phases a,b]';

function positive(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} takes a positive integer\n${USAGE}`);
  return n;
}

function nonNegative(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} takes a whole number, 0 or more\n${USAGE}`);
  return n;
}

export function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const o: Options = {
    quick,
    cases: quick ? 200 : 2000,
    warmup: quick ? 40 : 100,
    concurrency: 32,
    rounds: quick ? 3 : 6,
    waiting: quick ? 500 : 10_000,
    workerHeapMb: 1024,
    workerCache: 2000,
    rows: quick ? [1000, 20_000] : [10_000, 1_000_000],
    requests: quick ? 1000 : 5000,
    burst: quick ? 2000 : 10_000,
    phases: [...PHASES],
    workerPoolSize: 10,
    apiPoolSize: 10,
    events: quick ? 5000 : 20_000,
    mttdSeconds: quick ? 60 : 300,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--quick':
        continue;
      case '--out':
        if (!value) throw new Error(`--out takes a file\n${USAGE}`);
        o.out = value;
        break;
      case '--cases':
        o.cases = positive(flag, value);
        break;
      case '--concurrency':
        o.concurrency = positive(flag, value);
        break;
      case '--rounds':
        o.rounds = positive(flag, value);
        break;
      case '--waiting':
        o.waiting = positive(flag, value);
        break;
      case '--worker-heap-mb':
        o.workerHeapMb = nonNegative(flag, value);
        break;
      case '--worker-cache':
        o.workerCache = nonNegative(flag, value);
        break;
      case '--requests':
        o.requests = positive(flag, value);
        break;
      case '--burst':
        o.burst = positive(flag, value);
        break;
      case '--events':
        o.events = positive(flag, value);
        break;
      case '--mttd-seconds':
        o.mttdSeconds = positive(flag, value);
        break;
      case '--rows': {
        const [a, b] = (value ?? '').split(',').map((v) => positive(flag, v));
        if (!b || b <= a) throw new Error(`--rows takes SMALL,LARGE with SMALL < LARGE\n${USAGE}`);
        o.rows = [a, b];
        break;
      }
      case '--phases':
        o.phases = (value ?? '').split(',').map((p) => {
          if (!PHASES.includes(p as Phase)) throw new Error(`unknown phase "${p}"; phases: ${PHASES.join(', ')}`);
          return p as Phase;
        });
        break;
      default:
        throw new Error(`unknown argument "${flag}"\n${USAGE}`);
    }
    i++;
  }
  return o;
}

const log = (m: string) => console.log(`· ${m}`);

function printThroughput(t: ThroughputResult, paired: { byRound: number[]; median: number }): void {
  const vs = { baseline: 'bare', ratio: ratio(t.reckon.perSec, t.bare.perSec) };
  console.log(`\nThroughput (${t.shape.total} activities per case, steps [${t.shape.shape.join(', ')}])`);
  console.log(line('bare Temporal: completed workflows', t.bare.perSec, '/s'));
  console.log(line('minimal bare: start, one no-op activity, complete', t.minimal.perSec, '/s'));
  console.log(line('Reckon: auto-resolved cases, end to end', t.reckon.perSec, '/s', vs));
  console.log(line('Reckon against the minimal bare workflow', t.reckon.perSec, '/s', { baseline: 'minimal bare', ratio: ratio(t.reckon.perSec, t.minimal.perSec) }));
  console.log(`  rounds, bare: ${t.bare.roundsPerSec.join(', ')} /s; minimal: ${t.minimal.roundsPerSec.join(', ')} /s; Reckon: ${t.reckon.roundsPerSec.join(', ')} /s`);
  console.log(`  Reckon / minimal by round: ${paired.byRound.join(', ')}; median ${paired.median}`);
  for (const p of ['p50', 'p95', 'p99'] as const) {
    console.log(line(`Reckon latency POST → closed, ${p}`, t.reckon.latencyMs[p], 'ms', { baseline: `bare workflow ${p}`, ratio: ratio(t.reckon.latencyMs[p], t.bare.latencyMs[p]) }));
  }
  const h = t.history;
  console.log(line('history per run: events, bare / minimal / Reckon', `${h.bare.events} / ${h.minimal.events} / ${h.reckon.events}`));
  console.log(line('workflow tasks per run, bare / minimal / Reckon', `${h.bare.workflowTasks} / ${h.minimal.workflowTasks} / ${h.reckon.workflowTasks}`));
  console.log(line('search attribute upserts per case', h.reckon.searchAttributeUpserts));
  console.log(line('history bytes per run, bare / minimal / Reckon', `${h.bare.bytes} / ${h.minimal.bytes} / ${h.reckon.bytes}`, '', { baseline: 'bare', ratio: ratio(h.reckon.bytes, h.bare.bytes) }));
  console.log(line('CPU per bare workflow, all processes', t.bare.cpuMsPerCase.total, 'ms'));
  console.log(line('CPU per minimal bare workflow, all processes', t.minimal.cpuMsPerCase.total, 'ms'));
  console.log(line('CPU per Reckon case, all processes', t.reckon.cpuMsPerCase.total, 'ms', { baseline: 'bare', ratio: ratio(t.reckon.cpuMsPerCase.total, t.bare.cpuMsPerCase.total) }));
  for (const g of Object.keys(t.reckon.cpuMsPerCase).filter((k) => k !== 'total')) {
    console.log(line(`   ${g}: bare / minimal / Reckon`, `${t.bare.cpuMsPerCase[g] ?? 0} / ${t.minimal.cpuMsPerCase[g] ?? 0} / ${t.reckon.cpuMsPerCase[g]}`, 'ms'));
  }
  const others = (side: SideResult) => Math.round((side.cpu.reduce((a, c) => a + c.others, 0) / side.cpu.length) * 100);
  console.log(`  other processes on the machine used ${others(t.bare)} % (bare rounds) and ${others(t.reckon)} % (Reckon rounds) of its CPU`);
}

function printIngest(r: IngestResult): void {
  console.log('\nIngestion');
  console.log(line('bare express (parse JSON, 202)', r.bare.perSec, 'req/s'));
  console.log(line('bare express p99', r.bare.latencyMs.p99, 'ms'));
  console.log(line('bare express + signalWithStart of a no-op workflow', r.bareSignal.perSec, 'req/s'));
  console.log(line('POST /v1/discrepancies', r.discrepancies.perSec, 'req/s', { baseline: 'bare', ratio: r.ratio }));
  console.log(line('POST /v1/discrepancies over the signalWithStart floor', r.discrepancies.perSec, 'req/s', { baseline: 'bare signalWithStart', ratio: r.signalRatio }));
  console.log(line('POST /v1/discrepancies p99', r.discrepancies.latencyMs.p99, 'ms', { baseline: 'bare p99', ratio: r.p99Ratio }));
  const cpu = (s: { cpuMsPerRequest: Record<string, number> }) => Object.entries(s.cpuMsPerRequest).map(([g, ms]) => `${g} ${ms}`).join(', ');
  console.log(`  CPU ms per request, bare: ${cpu(r.bare)}`);
  console.log(`  CPU ms per request, bare signalWithStart: ${cpu(r.bareSignal)}`);
  console.log(`  CPU ms per request, POST /v1/discrepancies: ${cpu(r.discrepancies)}`);
  if (r.events) console.log(`  CPU ms per request, POST /v1/events: ${cpu(r.events)}`);
  if (r.events) {
    console.log(line('POST /v1/events', r.events.perSec, 'req/s', { baseline: 'bare', ratio: r.eventsRatio! }));
    console.log(line('POST /v1/events p99', r.events.latencyMs.p99, 'ms', { baseline: 'bare p99', ratio: ratio(r.events.latencyMs.p99, r.bare.latencyMs.p99) }));
  } else {
    console.log(`  POST /v1/events not measured: ${r.eventsSkipped}`);
  }
}

function printQueries(r: QueryResult): void {
  console.log('\nQueue queries (GET /v1/discrepancies, the inbox queue, counts, related cases): each size its own database, timed in alternating rounds');
  const q = r.sizes;
  const [small] = q;
  for (const at of q) {
    const vs = at === small ? undefined : { baseline: `${small.rows} rows`, ratio: ratio(at.latencyMs.p95, small.latencyMs.p95) };
    console.log(line(`${at.rows} rows: p50`, at.latencyMs.p50, 'ms'));
    console.log(line(`${at.rows} rows: p95`, at.latencyMs.p95, 'ms', vs));
    for (const [name, l] of Object.entries({ ...at.byFilter, ...at.byStoreCall })) console.log(line(`   ${name}: p95`, l.p95, 'ms'));
    console.log(line(`${at.rows} rows: prior-cases evidence lookup p95`, at.priorCasesMs.p95, 'ms', at === small ? undefined : { baseline: `${small.rows} rows`, ratio: ratio(at.priorCasesMs.p95, small.priorCasesMs.p95) }));
    console.log(line(`${at.rows} rows: p95 by round`, at.roundP95Ms.join(' / '), 'ms'));
    console.log(line(`${at.rows} rows: other processes' share of the machine`, Math.round(at.othersShare * 100), '%'));
  }
  console.log(line(`p95 ${q[1].rows} / ${q[0].rows} rows, round by round`, `${r.paired.byRound.join(', ')} (median ${r.paired.median})`));
}

function printBurst(b: BurstResult): void {
  console.log(`\nBurst: ${b.reports} reports, ${b.concurrency} in flight, each retried after Retry-After`);
  console.log(line('accepted, first send to last 202', b.acceptedPerSec, 'reports/s'));
  console.log(line('answers by status', Object.entries(b.statuses).map(([s, n]) => `${s}: ${n}`).join(', ')));
  console.log(line('5xx / timeouts / wrong case ids', `${b.server5xx} / ${b.timeouts} / ${b.mismatched}`));
  console.log(line('cases in the read model', b.cases));
  console.log(line('steady sender (16 in flight) latency p50 / p95', `${b.steady.latencyMs.p50} / ${b.steady.latencyMs.p95}`, 'ms'));
  console.log(line('burst: accepted attempt p50 / p95 / p99', `${b.acceptedAttemptMs.p50} / ${b.acceptedAttemptMs.p95} / ${b.acceptedAttemptMs.p99}`, 'ms'));
  console.log(line('burst: first send → 202 p50 / p95 / p99', `${b.latencyMs.p50} / ${b.latencyMs.p95} / ${b.latencyMs.p99}`, 'ms'));
}

function printRss(r: RssResult): void {
  const limits = `${r.workerHeapMb ? `heap limit ${r.workerHeapMb} MB` : "Node's heap limit"}, ${r.workerCache ? `cache of ${r.workerCache}` : "the SDK's cache size"}`;
  console.log(`\nWorker RSS (separate worker process, on ${r.allocator}'s malloc, ${limits})`);
  console.log(line('idle', r.idleMb, 'MB'));
  console.log(line(`${r.waitingCases} cases waiting on approval`, r.waitingMb, 'MB', { baseline: 'idle', ratio: ratio(r.waitingMb, r.idleMb) }));
  console.log(line('per waiting case', r.perWaitingCaseKb, 'KB'));
  console.log(line(`per cached case (${r.cachedCases} in the sticky cache)`, r.perCachedCaseKb, 'KB'));
}

/** Runs one phase; a failure is reported and recorded, and the other phases still run. */
async function phase(name: string, out: Record<string, unknown>, errors: Record<string, string>, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    errors[name] = message;
    console.error(`\n${name} failed: ${message}`);
  }
  out.errors = errors;
}

async function main(): Promise<number> {
  // an existing stack (compose, a cluster): HTTP only, bench/target.ts
  if (process.argv.includes('--target')) return runAgainstTarget(process.argv.slice(2));
  const o = parseArgs(process.argv.slice(2));
  const startedAt = Date.now();
  const stack = await startStack(log);
  const stop = () => void stack.stop().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const out: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  try {
    const keys = await createBenchKeys(stack);
    const machine = await machineInfo(stack);
    out.machine = machine;
    out.settings = {
      quick: o.quick, cases: o.cases, warmup: o.warmup, concurrency: o.concurrency, rounds: o.rounds, waiting: o.waiting, workerHeapMb: o.workerHeapMb, workerCache: o.workerCache, rows: o.rows,
      requests: o.requests, workerPoolSize: o.workerPoolSize, apiPoolSize: o.apiPoolSize,
      worker: workerTuning(stack.config),
      temporal: 'dev server, in memory', redis: stack.privateRedis ? 'private redis-server, db 14' : 'shared redis, db 14',
      process: 'client, API and both workers in the bench process (the RSS phase: the worker entrypoint alone)',
    };
    console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, node ${machine.node}, ${machine.postgres}, ${machine.temporal}`);
    console.log(`load average at start: ${machine.loadAvg.join(', ')} (other engineers' work shares these cores)`);
    if (o.phases.includes('throughput')) {
      await phase('throughput', out, errors, async () => {
        const t = await runThroughput(stack, keys, o, log);
        // the rounds pair the sides under the same load: their median is steadier than the totals' ratio
        const paired = pairedRatios(t.reckon.roundsPerSec, t.minimal.roundsPerSec);
        Object.assign(out, {
          bare: { workflowsPerSec: t.bare.perSec, ...t.bare, activitiesPerWorkflow: t.shape.total, shape: t.shape.shape },
          reckon: { casesPerSec: t.reckon.perSec, ...t.reckon, activities: t.shape.activities },
          ratio: ratio(t.reckon.perSec, t.bare.perSec),
          minimalBare: { workflowsPerSec: t.minimal.perSec, ...t.minimal },
          ratioToMinimal: ratio(t.reckon.perSec, t.minimal.perSec),
          ratioToMinimalByRound: paired.byRound,
          ratioToMinimalMedian: paired.median,
          cpuRatioToMinimal: ratio(t.minimal.cpuMsPerCase.total, t.reckon.cpuMsPerCase.total),
          history: t.history,
          cpuRatio: ratio(t.bare.cpuMsPerCase.total, t.reckon.cpuMsPerCase.total),
          latencyMs: { ...t.reckon.latencyMs, resolutionMs: 1, source: 'live feed: the worker stamps each change right after its commit' },
          slowWorkflowTasks: stack.slowWorkflowTasks(),
        });
        printThroughput(t, paired);
      });
    }
    if (o.phases.includes('ingest')) {
      await phase('ingest', out, errors, async () => {
        const r = await runIngest(stack, keys, o, log);
        out.ingest = r;
        printIngest(r);
      });
    }
    if (o.phases.includes('burst')) {
      await phase('burst', out, errors, async () => {
        const b = await runBurst(stack, keys, { reports: o.burst, concurrency: 256, apiPoolSize: o.apiPoolSize }, log);
        out.burst = b;
        printBurst(b);
      });
    }
    if (o.phases.includes('query')) {
      await phase('query', out, errors, async () => {
        const r = await runQueries(stack, { rows: o.rows, requests: o.quick ? 200 : 800, rounds: 4, concurrency: 4, apiPoolSize: o.apiPoolSize }, log);
        const q = r.sizes;
        out.query = {
          p50Ms10k: q[0].latencyMs.p50, p95Ms10k: q[0].latencyMs.p95, p50Ms1m: q[1].latencyMs.p50, p95Ms1m: q[1].latencyMs.p95,
          ratio1mTo10k: ratio(q[1].latencyMs.p95, q[0].latencyMs.p95), ratioByRound: r.paired.byRound, ratioMedian: r.paired.median,
          priorCasesP95Ms10k: q[0].priorCasesMs.p95, priorCasesP95Ms1m: q[1].priorCasesMs.p95,
          rows: o.rows, byQuery: perQueryP95(q), detail: q,
        };
        printQueries(r);
      });
    }
    if (o.phases.includes('rss')) {
      await phase('rss', out, errors, async () => {
        const r = await runRss(stack, keys, o, log);
        out.rss = r;
        printRss(r);
      });
    }
    if (o.phases.includes('events')) await phase('events', out, errors, async () => void (out.events = await eventsPhase(stack, keys, o, log)));
    if (o.phases.includes('mttd')) await phase('mttd', out, errors, async () => void (out.mttd = await mttdPhase(stack, keys, o, log)));
    out.loadAvgEnd = loadavg().map((v) => Math.round(v * 100) / 100);
    out.elapsedSeconds = Math.round((Date.now() - startedAt) / 1000);
    console.log(`\ndone in ${out.elapsedSeconds} s; load average at the end: ${(out.loadAvgEnd as number[]).join(', ')}`);
    if (o.out) {
      writeFileSync(o.out, `${JSON.stringify(out, null, 2)}\n`);
      console.log(`figures written to ${o.out}`);
    }
    return Object.keys(errors).length === 0 ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
