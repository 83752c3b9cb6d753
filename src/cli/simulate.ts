import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { SimClient } from '../sim/client';
import { DAY, DEFAULT_NOISE } from '../sim/context';
import { ProgressBar } from '../sim/progress';
import { formatScorecard, scorecardJson } from '../sim/report';
import { runSimulation } from '../sim/run';
import { startPrivateEngine, type Engine } from '../sim/stack';
import { DEFAULT_SHAPE } from '../sim/warehouse';

const USAGE = `usage: npm run simulate -- --days N --seed S [--out FILE] [--api URL --key KEY] [--speed X]
  [--faults-per-day F] [--skus N] [--orders N] [--sites N] [--miscounts RATE] [--cant-find RATE] [--night-miscounts RATE] [--scorer rules-v1|bayes-v2] [--count-top N] [--approve] [--shadow DC1[,DC2]] [--start YYYY-MM-DD] [--tag T]
Without --api it starts a private engine (Temporal dev server, database, worker, API) and removes it afterwards.`;

function intArg(v: string | undefined, name: string, def: number, min: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      days: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, api: { type: 'string' }, key: { type: 'string' },
      speed: { type: 'string' }, 'faults-per-day': { type: 'string' }, skus: { type: 'string' }, orders: { type: 'string' },
      sites: { type: 'string' }, miscounts: { type: 'string' }, 'cant-find': { type: 'string' }, 'night-miscounts': { type: 'string' }, scorer: { type: 'string' }, start: { type: 'string' }, tag: { type: 'string' }, 'count-top': { type: 'string' }, approve: { type: 'boolean' }, shadow: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const days = intArg(values.days, 'days', 3, 1);
  const seed = intArg(values.seed, 'seed', 1, 0);
  const speed = intArg(values.speed, 'speed', 600, 1);
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  // the run ends at today's midnight: evidence queries look back from the real now
  const start = values.start ? Date.parse(`${values.start}T00:00:00Z`) : today - days * DAY;
  if (Number.isNaN(start)) throw new Error('--start must be YYYY-MM-DD');
  if (values.api && !values.key) throw new Error('--api needs --key');
  const scorer = values.scorer ?? 'rules-v1';
  if (scorer !== 'rules-v1' && scorer !== 'bayes-v2') throw new Error('--scorer must be rules-v1 or bayes-v2');
  const tag = values.tag ?? (values.api ? `S${seed}T${Date.now().toString(36).slice(-5).toUpperCase()}-` : '');
  const shape = {
    ...DEFAULT_SHAPE,
    sites: intArg(values.sites, 'sites', DEFAULT_SHAPE.sites, 1),
    skus: intArg(values.skus, 'skus', DEFAULT_SHAPE.skus, 6),
    ordersPerDay: intArg(values.orders, 'orders', DEFAULT_SHAPE.ordersPerDay, 1),
    sitePrefix: tag,
  };
  const note = (m: string) => process.stderr.write(`simulate: ${m}\n`);

  let engine: Engine;
  if (values.api) {
    engine = { url: values.api.replace(/\/$/, ''), key: values.key!, stop: async () => undefined };
    note(`using the engine at ${engine.url} (sites prefixed ${tag || 'nothing'}); the cycle-count planner is not driven: the API cannot start it`);
  } else {
    note('starting a private engine');
    const countTop = values['count-top'] === undefined ? undefined : intArg(values['count-top'], 'count-top', 0, 1);
    engine = await startPrivateEngine(loadConfig(), note, { plannerTopN: countTop });
  }
  const stopEngine = () => engine.stop();
  process.once('SIGINT', () => void stopEngine().finally(() => process.exit(130)));
  try {
    const result = await runSimulation(
      new SimClient(engine.url, engine.key),
      { seed, days, start, shape, faultsPerSiteDay: intArg(values['faults-per-day'], 'faults-per-day', 2, 0), speed, postPolicy: true, scorer, miscountRate: intArg(values.miscounts, 'miscounts', DEFAULT_NOISE.miscountRate, 0), cantFindRate: intArg(values['cant-find'], 'cant-find', DEFAULT_NOISE.cantFindRate, 0), nightMiscountRate: intArg(values['night-miscounts'], 'night-miscounts', 0, 0), progress: new ProgressBar(), log: note, planner: engine.planner, approve: values.approve ?? false, approvers: engine.approverKeys?.map((k) => new SimClient(engine.url, k)),
        shadowSites: values.shadow ? values.shadow.split(',').map((s) => `${tag}${s.trim()}`) : [] },
      engine.db,
    );
    process.stdout.write(`${formatScorecard(result, { seed, days })}\n`);
    if (values.out) {
      writeFileSync(values.out, `${JSON.stringify(scorecardJson(result, { seed, days }), null, 2)}\n`);
      note(`scorecard written to ${values.out}`);
    }
    return 0;
  } finally {
    note('stopping');
    await stopEngine();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`simulate: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(1);
  },
);
