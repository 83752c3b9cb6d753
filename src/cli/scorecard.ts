import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatSummary, summarise, type SeedScorecard } from '../sim/multi-seed';

const USAGE = `usage: npm run scorecard -- [--seeds 10 | --seed-list 1,2,7] [--first 1] [--parallel 1] [--dir scorecards] [--reuse] [-- simulate options]
Runs \`npm run simulate\` once per seed (each with its private engine), --parallel at a time, writes
each seed's scorecard to DIR/seed-N.json and the spread to DIR/summary.json; prints the summary.
--reuse keeps a seed's scorecard already in DIR instead of running it again. Options after -- go to
every run (e.g. -- --days 1 --scorer bayes-v2 --approve).`;

function run(seed: number, out: string, extra: string[], log: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'simulate', '--', '--seed', String(seed), '--out', out, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
    });
    child.on('close', (code) => {
      writeFileSync(log, tail);
      resolve(code ?? 1);
    });
  });
}

/** `npm run scorecard`: the simulator over a spread of seeds, and the spread of its figures. */
async function main(): Promise<number> {
  const dash = process.argv.indexOf('--', 2);
  const own = dash === -1 ? process.argv.slice(2) : process.argv.slice(2, dash);
  const extra = dash === -1 ? [] : process.argv.slice(dash + 1);
  const { values } = parseArgs({ args: own, options: { seeds: { type: 'string' }, 'seed-list': { type: 'string' }, first: { type: 'string' }, parallel: { type: 'string' }, dir: { type: 'string' }, reuse: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const count = Number(values.seeds ?? 10);
  const first = Number(values.first ?? 1);
  const parallel = Number(values.parallel ?? 1);
  if (![count, first, parallel].every((n) => Number.isInteger(n) && n >= 0) || parallel < 1) {
    process.stderr.write(`--seeds, --first and --parallel take whole numbers (parallel at least 1)\n${USAGE}\n`);
    return 2;
  }
  const seeds = values['seed-list'] ? values['seed-list'].split(',').map(Number) : Array.from({ length: count }, (_, i) => first + i);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) return 2;
  const dir = values.dir ?? 'scorecards';
  mkdirSync(dir, { recursive: true });
  const queue = [...seeds];
  const failed: number[] = [];
  const worker = async () => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
      const out = join(dir, `seed-${seed}.json`);
      if (values.reuse && existsSync(out)) continue;
      const started = Date.now();
      process.stderr.write(`scorecard: seed ${seed} running\n`);
      const code = await run(seed, out, extra, join(dir, `seed-${seed}.log`));
      process.stderr.write(`scorecard: seed ${seed} ${code === 0 ? 'done' : `failed (${code}), see ${dir}/seed-${seed}.log`} in ${Math.round((Date.now() - started) / 1000)} s\n`);
      if (code !== 0) failed.push(seed);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, seeds.length) }, worker));
  const cards = seeds.filter((s) => existsSync(join(dir, `seed-${s}.json`))).map((s) => JSON.parse(readFileSync(join(dir, `seed-${s}.json`), 'utf8')) as SeedScorecard);
  const summary = summarise(cards);
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify({ ...summary, failed, options: extra }, null, 2)}\n`);
  process.stdout.write(`${formatSummary(summary)}\n${failed.length ? `failed seeds: ${failed.join(', ')}\n` : ''}`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`scorecard failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
