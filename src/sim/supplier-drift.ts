import { deliveriesOf, detectSupplierDrift, SUPPLIER_DRIFT_PARAMS, type Delivery, type ReceivedLine, type SupplierDriftParams } from '../domain/supplier-drift';
import { Prng } from './prng';

/**
 * The supplier drift study: suppliers delivering a few times a week on ASNs of whole cartons, the
 * receivers' slips (3 % of lines off by 1–2 units either way) and a carton missing now and then
 * (2 % of lines); a drifting supplier's deliveries come short by a share growing each week
 * (0.5 %/week: 0.5 % short in the first week, 1 % in the second, …), a unit at a time. The
 * detector sees each supplier's received ASN lines, as the engine reads them from the events.
 */
export interface SupplierDriftStudyOptions {
  seed: number;
  suppliers: number;
  weeks: number;
  /** growth of the shortfall a week, e.g. 0.005; 0 for clean data */
  driftPerWeek: number;
  deliveriesPerWeek?: number;
  slipRate?: number;
  missingCartonRate?: number;
  params?: SupplierDriftParams;
}

export interface SupplierDriftStudyResult {
  suppliers: number;
  alarmed: number;
  /** weeks from the start of the drift to the first alarm, of the alarmed suppliers, sorted */
  weeksToAlarm: number[];
  /** deliveries seen before the alarm, same order */
  deliveriesToAlarm: number[];
}

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 0, 5);
const CARTONS = [6, 12, 24];

export function runSupplierDriftStudy(o: SupplierDriftStudyOptions): SupplierDriftStudyResult {
  const rng = new Prng(o.seed);
  const perWeek = o.deliveriesPerWeek ?? 3;
  const slip = o.slipRate ?? 0.03;
  const missing = o.missingCartonRate ?? 0.02;
  const p = o.params ?? SUPPLIER_DRIFT_PARAMS;
  const alarms: { weeks: number; deliveries: number }[] = [];
  for (let s = 0; s < o.suppliers; s++) {
    const deliveries: Delivery[] = [];
    let owed = 0;
    const total = Math.round(o.weeks * perWeek);
    for (let n = 0; n < total; n++) {
      const t = START + ((n + rng.next()) / perWeek) * 7 * DAY_MS;
      const weeks = (t - START) / (7 * DAY_MS);
      const rate = o.driftPerWeek * Math.ceil(weeks + 1e-9);
      const asn = `ASN-${s}-${n}`;
      const at = new Date(t).toISOString();
      const lines: ReceivedLine[] = [];
      for (let l = 0, count = rng.int(3, 12); l < count; l++) {
        const carton = CARTONS[rng.int(0, CARTONS.length - 1)];
        const announced = carton * rng.int(1, 4);
        let received = announced;
        // the short share adds up across lines, and comes off a unit at a time
        owed += announced * rate;
        while (owed >= 1 && received > 0) {
          received -= 1;
          owed -= 1;
        }
        if (rng.chance(missing)) received -= carton;
        else if (rng.chance(slip)) received += (rng.chance(0.5) ? 1 : -1) * rng.int(1, 2);
        lines.push({ asn, line: String(l + 1), sku: `SKU-${rng.int(1, 200)}`, at, announced, received: Math.max(0, received) });
      }
      deliveries.push(...deliveriesOf(lines, p));
      const recent = deliveries.filter((d) => Date.parse(d.at) >= t - p.windowDays * DAY_MS);
      if (detectSupplierDrift(recent, p)) {
        alarms.push({ weeks: Math.round(weeks * 10) / 10, deliveries: n + 1 });
        break;
      }
    }
  }
  alarms.sort((a, b) => a.weeks - b.weeks);
  return { suppliers: o.suppliers, alarmed: alarms.length, weeksToAlarm: alarms.map((a) => a.weeks), deliveriesToAlarm: alarms.map((a) => a.deliveries) };
}
