/**
 * Supplier drift: a supplier whose deliveries come in a little short (or over), more and more,
 * with no single line far enough off to stand out. A two-sided CUSUM over each delivery's signed
 * receipt-vs-ASN variance, in % of what the ASN announced. Lines off by more than a carton's worth
 * (a missing carton, a wrong item) are single events, left to receiving_variance. Pure.
 */
export const SUPPLIER_DRIFT_VERSION = 'supplier-drift-cusum-v1';

export interface SupplierDriftParams {
  /** allowance per delivery, %: smaller mean variances never accumulate */
  allowancePct: number;
  /** alarm when the cumulative sum passes this, % */
  thresholdPct: number;
  /** one delivery contributes at most this, % */
  clipPct: number;
  /** deliveries in the run before an alarm may be raised */
  minDeliveries: number;
  /** a line off by more than this share of its announced quantity (and more than one unit) is a gross error, not drift */
  grossLinePct: number;
  /** how far back the series goes */
  windowDays: number;
}

export const SUPPLIER_DRIFT_PARAMS: SupplierDriftParams = { allowancePct: 0.5, thresholdPct: 3, clipPct: 2, minDeliveries: 4, grossLinePct: 10, windowDays: 180 };

/** One ASN line as received: what the ASN announced and what the receipts booked (not the ERP's postings). */
export interface ReceivedLine {
  asn: string;
  line: string;
  sku: string;
  /** when the ASN's goods were received (its last receipt) */
  at: string;
  announced: number;
  received: number;
}

export interface Delivery {
  asn: string;
  at: string;
  announced: number;
  received: number;
  variancePct: number;
  /** lines left out as gross errors */
  grossLines: number;
}

export interface SupplierDriftFinding {
  direction: 'short' | 'over';
  cusumPct: number;
  /** mean variance of the run's deliveries, % of announced (negative: short) */
  meanPct: number;
  /** how the variance moved a week over the run (least-squares slope), % a week */
  trendPctPerWeek: number;
  /** units short (negative) or over a week, over the run's span */
  unitsPerWeek: number;
  units: number;
  /** the run: deliveries since the CUSUM last stood at zero, oldest first */
  evidence: Delivery[];
}

const WEEK_MS = 7 * 86_400_000;
const round = (n: number, d: number) => Math.round(n * 10 ** d) / 10 ** d;

/** Lines grouped by ASN into deliveries, oldest first; gross lines left out. */
export function deliveriesOf(lines: ReceivedLine[], p: SupplierDriftParams = SUPPLIER_DRIFT_PARAMS): Delivery[] {
  const byAsn = new Map<string, Delivery>();
  for (const l of lines) {
    const d = byAsn.get(l.asn) ?? { asn: l.asn, at: l.at, announced: 0, received: 0, variancePct: 0, grossLines: 0 };
    if (l.at > d.at) d.at = l.at;
    const off = Math.abs(l.received - l.announced);
    if (l.announced <= 0 || (off > 1 && off > (l.announced * p.grossLinePct) / 100)) d.grossLines++;
    else {
      d.announced += l.announced;
      d.received += l.received;
    }
    byAsn.set(l.asn, d);
  }
  return [...byAsn.values()]
    .filter((d) => d.announced > 0)
    .map((d) => ({ ...d, variancePct: round((100 * (d.received - d.announced)) / d.announced, 4) }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.asn < b.asn ? -1 : 1));
}

function slopePerWeek(ds: Delivery[]): number {
  if (ds.length < 2) return 0;
  const xs = ds.map((d) => Date.parse(d.at) / WEEK_MS);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ds.reduce((a, d) => a + d.variancePct, 0) / ds.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < ds.length; i++) {
    num += (xs[i] - mx) * (ds[i].variancePct - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The drift a supplier's deliveries show at the last one, or null. Deliveries sorted oldest first. */
export function detectSupplierDrift(deliveries: Delivery[], p: SupplierDriftParams = SUPPLIER_DRIFT_PARAMS): SupplierDriftFinding | null {
  let up = 0;
  let down = 0;
  let upStart = 0;
  let downStart = 0;
  for (let i = 0; i < deliveries.length; i++) {
    const x = Math.max(-p.clipPct, Math.min(p.clipPct, deliveries[i].variancePct));
    if (up === 0) upStart = i;
    if (down === 0) downStart = i;
    up = Math.max(0, up + x - p.allowancePct);
    down = Math.min(0, down + x + p.allowancePct);
  }
  const last = deliveries.length - 1;
  let run: { sum: number; start: number } | null = null;
  if (down <= -p.thresholdPct && last - downStart + 1 >= p.minDeliveries) run = { sum: down, start: downStart };
  else if (up >= p.thresholdPct && last - upStart + 1 >= p.minDeliveries) run = { sum: up, start: upStart };
  if (!run) return null;
  const evidence = deliveries.slice(run.start);
  const announced = evidence.reduce((a, d) => a + d.announced, 0);
  const units = evidence.reduce((a, d) => a + d.received - d.announced, 0);
  const span = Date.parse(evidence[evidence.length - 1].at) - Date.parse(evidence[0].at);
  const weeks = Math.max(span / WEEK_MS, 1 / 7);
  return {
    direction: run.sum < 0 ? 'short' : 'over',
    cusumPct: round(run.sum, 3),
    meanPct: round((100 * units) / announced, 3),
    trendPctPerWeek: round(slopePerWeek(evidence), 3),
    unitsPerWeek: round(units / weeks, 2),
    units,
    evidence,
  };
}
