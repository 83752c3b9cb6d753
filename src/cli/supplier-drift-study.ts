import { parseArgs } from 'node:util';
import { quantile } from '../sim/drift';
import { runSupplierDriftStudy } from '../sim/supplier-drift';

/**
 * `npm run supplier-drift-study`: the supplier drift detector on simulated deliveries
 * (src/sim/supplier-drift.ts): weeks to detect a growing shortfall, and the share of clean
 * suppliers that alarm in a year, per delivery rate.
 */
function main(): number {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, suppliers: { type: 'string' }, drift: { type: 'string' }, 'per-week': { type: 'string' } } });
  const seed = Number(values.seed ?? 21);
  const suppliers = Number(values.suppliers ?? 500);
  const drift = Number(values.drift ?? 0.005);
  const rates = (values['per-week'] ?? '1,3,5').split(',').map(Number);
  if (![seed, suppliers, drift, ...rates].every((n) => Number.isFinite(n) && n >= 0) || suppliers < 1 || rates.some((r) => r <= 0)) {
    process.stderr.write('usage: npm run supplier-drift-study -- [--seed 21] [--suppliers 500] [--drift 0.005] [--per-week 1,3,5]\n');
    return 2;
  }
  for (const perWeek of rates) {
    const d = runSupplierDriftStudy({ seed, suppliers, weeks: 52, driftPerWeek: drift, deliveriesPerWeek: perWeek });
    const c = runSupplierDriftStudy({ seed: seed + 1, suppliers: suppliers * 2, weeks: 52, driftPerWeek: 0, deliveriesPerWeek: perWeek });
    const w = d.weeksToAlarm;
    process.stdout.write(
      `${JSON.stringify({ deliveriesPerWeek: perWeek, driftPerWeek: drift, detected: `${d.alarmed}/${d.suppliers}`, weeksMedian: quantile(w, 0.5), weeksP90: quantile(w, 0.9), weeksMax: w[w.length - 1] ?? null, deliveriesMedian: quantile(d.deliveriesToAlarm.slice().sort((a, b) => a - b), 0.5), cleanSuppliersAlarmedInAYear: `${c.alarmed}/${c.suppliers}` })}\n`,
    );
  }
  return 0;
}

process.exit(main());
