import { deliveriesOf, detectSupplierDrift, SUPPLIER_DRIFT_PARAMS, type ReceivedLine, type SupplierDriftFinding } from '../domain/supplier-drift';
import { DiscrepancyReport } from '../domain';
import { startOrMergeCase, type CaseIntakeDeps } from '../ingest/start-case';
import type { Logger } from '../logger';
import {
  lastSupplierDriftReport,
  recordSupplierDriftReport,
  sitesWithSupplierAsns,
  supplierDriftClosedAt,
  supplierReceivedLines,
  type SupplierReceivedLine,
} from '../store/supplier-receipts';

const DAY_MS = 86_400_000;
/** an ASN is judged once its last receipt is this old: a truck still being booked is not short */
export const DELIVERY_SETTLE_MS = 2 * 3_600_000;

export interface SupplierDriftOutcome {
  site: string;
  supplier: string;
  finding: SupplierDriftFinding;
  /** false: already reported up to this delivery */
  reported: boolean;
  caseId?: string;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._\-/:#]/g, '_').replace(/^[^A-Za-z0-9]/, 'S').slice(0, 40);
export const supplierDriftReference = (supplier: string) => `supplier-drift:${safe(supplier)}`;

const pct = (n: number) => `${Math.abs(n).toFixed(2)} %`;

/** The case a finding opens: a drift case of the receiving process, on the sku the drift cost most. */
export function supplierDriftReport(site: string, supplier: string, f: SupplierDriftFinding, lines: SupplierReceivedLine[], sku: string, now: Date): DiscrepancyReport {
  const inRun = new Set(f.evidence.map((d) => d.asn));
  const run = lines.filter((l) => inRun.has(l.asn));
  const announced = f.evidence.reduce((a, d) => a + d.announced, 0);
  const received = f.evidence.reduce((a, d) => a + d.received, 0);
  const cost = run.filter((l) => l.unitCost !== null);
  const unitCost = cost.length ? cost.reduce((a, l) => a + l.unitCost! * l.announced, 0) / Math.max(1, cost.reduce((a, l) => a + l.announced, 0)) : 0;
  const series = f.evidence.map((d) => `${d.at.slice(0, 10)} ${d.asn} ${d.received}/${d.announced}`).join(', ');
  return DiscrepancyReport.parse({
    kind: 'drift',
    site,
    sku,
    process: 'receiving',
    reference: { kind: 'other', id: supplierDriftReference(supplier) },
    expectedQty: announced,
    observedQty: received,
    unitCost: Math.round(unitCost * 100) / 100,
    source: 'reckon',
    sourceEventIds: [...new Set(run.flatMap((l) => l.eventIds))].slice(-100),
    detectedAt: now.toISOString(),
    note:
      `supplier ${supplier}: deliveries ${f.direction} by about ${pct(f.meanPct)} of what the ASNs announced ` +
      `(${Math.abs(f.unitsPerWeek)} units a week; the variance moved ${f.trendPctPerWeek.toFixed(2)} % a week) over ${f.evidence.length} deliveries, ` +
      `${Math.abs(f.units)} units in all (CUSUM ${f.cusumPct.toFixed(2)} %, threshold ${SUPPLIER_DRIFT_PARAMS.thresholdPct} %); received/announced: ${series}`.slice(0, 1900),
  });
}

/** The sku the run's deliveries came shortest (or most over) on. */
function mostAffectedSku(f: SupplierDriftFinding, lines: SupplierReceivedLine[]): string {
  const inRun = new Set(f.evidence.map((d) => d.asn));
  const bySku = new Map<string, number>();
  for (const l of lines) if (inRun.has(l.asn)) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + (l.received - l.announced));
  const sign = f.direction === 'short' ? 1 : -1;
  return [...bySku].sort((a, b) => sign * (a[1] - b[1]) || (a[0] < b[0] ? -1 : 1))[0][0];
}

/**
 * One pass over every site's suppliers: the CUSUM of each supplier's deliveries in the window
 * (since its last drift case closed); a finding with a delivery newer than the last reported
 * starts or joins the supplier's drift case. Reports carry the receipts as source events, so a
 * pass repeated after a crash merges as a redelivery.
 */
export async function checkSupplierDrift(deps: CaseIntakeDeps & { logger?: Logger }, now = new Date()): Promise<SupplierDriftOutcome[]> {
  const from = new Date(now.getTime() - SUPPLIER_DRIFT_PARAMS.windowDays * DAY_MS);
  const out: SupplierDriftOutcome[] = [];
  for (const site of await sitesWithSupplierAsns(deps.db, from)) {
    const lines = await supplierReceivedLines(deps.db, site, from, new Date(now.getTime() - DELIVERY_SETTLE_MS));
    const bySupplier = new Map<string, SupplierReceivedLine[]>();
    for (const l of lines) bySupplier.set(l.supplier, [...(bySupplier.get(l.supplier) ?? []), l]);
    for (const [supplier, own] of bySupplier) {
      const closed = await supplierDriftClosedAt(deps.db, site, supplierDriftReference(supplier));
      const series = closed ? own.filter((l) => Date.parse(l.at) > closed.getTime()) : own;
      const finding = detectSupplierDrift(deliveriesOf(series.map((l): ReceivedLine => ({ asn: l.asn, line: l.sku, sku: l.sku, at: l.at, announced: l.announced, received: l.received }))));
      if (!finding) continue;
      const last = finding.evidence[finding.evidence.length - 1].at;
      const before = await lastSupplierDriftReport(deps.db, site, supplier);
      if (before && Date.parse(before.lastDeliveryAt) >= Date.parse(last)) {
        out.push({ site, supplier, finding, reported: false });
        continue;
      }
      // the case stays on one sku while the drift lasts, so later deliveries join it
      const sku = before?.sku ?? mostAffectedSku(finding, series);
      const report = supplierDriftReport(site, supplier, finding, series, sku, now);
      if (report.expectedQty === report.observedQty) continue;
      const accepted = await startOrMergeCase(deps, report);
      await recordSupplierDriftReport(deps.db, site, supplier, sku, last);
      deps.logger?.info({ site, supplier, caseId: accepted.id, cusumPct: finding.cusumPct }, 'supplier drift reported');
      out.push({ site, supplier, finding, reported: true, caseId: accepted.id });
    }
  }
  return out;
}
