import { parseArgs } from 'node:util';
import { quantile, runDriftStudy } from '../sim/drift';

/**
 * `npm run drift-study`: the drift detector on simulated bins (src/sim/drift.ts): weeks to detect
 * a steady loss, and the share of clean bins that alarm in a year, per count cycle.
 */
function main(): number {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, bins: { type: 'string' }, drift: { type: 'string' }, every: { type: 'string' } } });
  const seed = Number(values.seed ?? 11);
  const bins = Number(values.bins ?? 1000);
  const drift = Number(values.drift ?? 0.005);
  const cycles = (values.every ?? '7,14,30').split(',').map(Number);
  if (![seed, bins, drift, ...cycles].every((n) => Number.isFinite(n) && n >= 0) || bins < 1 || cycles.some((c) => c < 1)) {
    process.stderr.write('usage: npm run drift-study -- [--seed 11] [--bins 1000] [--drift 0.005] [--every 7,14,30]\n');
    return 2;
  }
  for (const every of cycles) {
    const d = runDriftStudy({ seed, bins, weeks: 52, driftPerWeek: drift, countEveryDays: every });
    const c = runDriftStudy({ seed: seed + 1, bins: bins * 2, weeks: 52, driftPerWeek: 0, countEveryDays: every });
    const w = d.weeksToAlarm;
    process.stdout.write(
      `${JSON.stringify({ countEveryDays: every, driftPerWeek: drift, detected: `${d.alarmed}/${d.bins}`, weeksMedian: quantile(w, 0.5), weeksP90: quantile(w, 0.9), weeksMax: w[w.length - 1] ?? null, cleanBinsAlarmedInAYear: `${c.alarmed}/${c.bins}` })}\n`,
    );
  }
  return 0;
}

process.exit(main());
