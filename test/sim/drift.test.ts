import { quantile, runDriftStudy } from '../../src/sim/drift';

/**
 * The drift detector on simulated bins (src/sim/drift.ts): a 0.5 %-per-week loss is found within
 * the weeks docs/simulator.md states, and clean bins with the simulator's miscounts rarely alarm.
 */
it('finds a 0.5 %-per-week drift within 10 weeks on weekly counts (90 % within 6), within 22 on monthly', () => {
  const weekly = runDriftStudy({ seed: 21, bins: 300, weeks: 26, driftPerWeek: 0.005, countEveryDays: 7 });
  expect(weekly.alarmed).toBe(300);
  expect(weekly.weeksToAlarm[weekly.weeksToAlarm.length - 1]).toBeLessThanOrEqual(10);
  expect(quantile(weekly.weeksToAlarm, 0.9)).toBeLessThanOrEqual(6);
  const monthly = runDriftStudy({ seed: 22, bins: 300, weeks: 40, driftPerWeek: 0.005, countEveryDays: 30 });
  expect(monthly.alarmed).toBe(300);
  expect(monthly.weeksToAlarm[monthly.weeksToAlarm.length - 1]).toBeLessThanOrEqual(22);
});

it('alarms on at most 1 % of clean bins in a year of weekly counts', () => {
  const clean = runDriftStudy({ seed: 23, bins: 1000, weeks: 52, driftPerWeek: 0, countEveryDays: 7 });
  expect(clean.alarmed / clean.bins).toBeLessThanOrEqual(0.01);
});
