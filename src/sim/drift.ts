import { detectDrift, type DriftParams, type VarianceObservation, DRIFT_PARAMS } from '../domain/drift';
import { Prng } from './prng';

/**
 * The drift study: bins whose shelf loses a steady share of stock a week, counted on a cycle, with
 * the simulator's miscounts (3 % of counts off by 3–8 units, here also 5 % off by one) and the
 * engine's handling of a count beyond tolerance (a recount; the books corrected to it when it
 * agrees). What the drift detector sees is the series of count results, as count_results holds it.
 */
export interface DriftStudyOptions {
  seed: number;
  bins: number;
  weeks: number;
  /** share of stock lost a week, e.g. 0.005; 0 for clean data */
  driftPerWeek: number;
  countEveryDays: number;
  miscountRate?: number;
  offByOneRate?: number;
  params?: DriftParams;
}

export interface DriftStudyResult {
  bins: number;
  /** bins the detector flagged */
  alarmed: number;
  /** weeks from the start of the drift to the first alarm, of the alarmed bins, sorted */
  weeksToAlarm: number[];
}

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 0, 5);

/** Tolerance as the default policy's class A counting limit: 2 units or 1 %. */
const within = (book: number, counted: number) => Math.abs(counted - book) <= Math.max(2, book * 0.01);

export function runDriftStudy(o: DriftStudyOptions): DriftStudyResult {
  const rng = new Prng(o.seed);
  const miscount = o.miscountRate ?? 0.03;
  const offByOne = o.offByOneRate ?? 0.05;
  const weeksToAlarm: number[] = [];
  for (let b = 0; b < o.bins; b++) {
    const level = rng.int(50, 500);
    let book = level;
    let shelf = level;
    let owed = 0;
    const offset = rng.int(0, o.countEveryDays - 1);
    const series: VarianceObservation[] = [];
    const count = () => {
      let n = shelf;
      if (rng.chance(miscount)) n += (rng.chance(0.5) ? 1 : -1) * rng.int(3, 8);
      else if (rng.chance(offByOne)) n += rng.chance(0.5) ? 1 : -1;
      return Math.max(0, n);
    };
    for (let day = 0; day < o.weeks * 7; day++) {
      // the loss falls a unit at a time, as the share owed adds up
      owed += (o.driftPerWeek * level) / 7;
      while (owed >= 1) {
        shelf -= 1;
        owed -= 1;
      }
      if ((day - offset) % o.countEveryDays !== 0 || day < offset) continue;
      const at = new Date(START + day * DAY_MS + 10 * 3_600_000).toISOString();
      const counted = count();
      series.push({ at, systemQty: book, countedQty: counted });
      if (!within(book, counted)) {
        // the case recounts; a recount that agrees with the first count corrects the books
        const recount = count();
        const agreed = within(counted, recount);
        series.push({ at: new Date(Date.parse(at) + 3_600_000).toISOString(), systemQty: book, countedQty: recount, corrected: agreed });
        if (agreed) book = recount;
      }
      const recent = series.filter((s) => Date.parse(s.at) >= Date.parse(at) - (o.params ?? DRIFT_PARAMS).windowDays * DAY_MS);
      if (detectDrift(recent, o.params)) {
        weeksToAlarm.push(Math.round((day / 7) * 10) / 10);
        break;
      }
    }
  }
  return { bins: o.bins, alarmed: weeksToAlarm.length, weeksToAlarm: weeksToAlarm.sort((a, b) => a - b) };
}

export const quantile = (xs: number[], q: number): number | null => (xs.length === 0 ? null : xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]);
