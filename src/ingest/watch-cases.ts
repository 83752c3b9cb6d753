import { ApplicationFailure } from '@temporalio/common';
import {
  effectivePolicy,
  DiscrepancyReport,
  workflowIdForKey,
  type DiscrepancyReportInput,
} from '../domain';
import { withTransaction } from '../store/db';
import { getActivePolicy } from '../store/policy-repo';
import { isDetected, storeDetections } from '../store/detections-repo';
import { lockOpenInboundLines, stockBalance } from '../store/feature-snapshot';
import { closeInboundLines } from '../store/feature-updates';
import { zoneOfLocation } from '../store/model-repo';
import { dispatchDetections, type DetectionDeps } from './detections';
import { lineVariance } from './detectors/receiving-variance';
import { refId } from './detectors/report';
import { mismatchReport } from './detectors/system-mismatch';

/** Detections a watcher makes carry this source; their event id is the watch's own id. */
export const WATCHER_SOURCE = 'reckon-watch';

const CODE = /^[A-Za-z0-9][A-Za-z0-9._\-/:#]*$/;
const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** Ids from events may hold characters a report refuses: references are made safe, odd bins dropped. */
function sanitize(r: DiscrepancyReportInput): DiscrepancyReportInput {
  return {
    ...r,
    location: r.location && CODE.test(r.location) && r.location.length <= 64 ? r.location : undefined,
    reference: r.reference ? { ...r.reference, id: refId(r.reference.id) } : undefined,
  };
}

export interface OpenWatcherCaseInput {
  /** unique per watcher decision: the watcher's workflow id, run and purpose */
  watchId: string;
  detector: string;
  detectorVersion: string;
  /** when the expected event became overdue: detection latency counts from here */
  dueAt: string;
  report: DiscrepancyReportInput;
}

/** A watcher's finding becomes a case through the same outbox as the detectors'. */
export async function openWatcherCase(deps: DetectionDeps, input: OpenWatcherCaseInput): Promise<{ caseId: string; workflowId: string }> {
  const parsed = DiscrepancyReport.safeParse(sanitize(input.report));
  if (!parsed.success) {
    throw ApplicationFailure.create({ type: 'InvalidWatcherReport', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), nonRetryable: true });
  }
  await storeDetections(deps.db, [
    { eventSource: WATCHER_SOURCE, eventId: input.watchId, detector: input.detector, detectorVersion: input.detectorVersion, mode: 'report', report: parsed.data, receivedAt: input.dueAt },
  ]);
  const [caseId] = await dispatchDetections(deps, { eventSource: WATCHER_SOURCE, eventId: input.watchId });
  return { caseId, workflowId: workflowIdForKey(parsed.data) };
}

export interface CompareReceivingInput {
  watchId: string;
  site: string;
  kind: 'asn' | 'po';
  docId: string;
  source: string;
  dueAt: string;
}

/**
 * receivingMatch at the due time: every announced line nobody closed is compared with what was
 * received — short lines, and over-received lines not already reported at receipt — and closed.
 * Lines, detections and closing commit together, so a retry reports nothing twice.
 */
export async function compareReceivingDocument(deps: DetectionDeps, input: CompareReceivingInput): Promise<{ caseIds: string[] }> {
  const policy = effectivePolicy(await getActivePolicy(deps.db), input.site).document;
  await withTransaction(deps.db, async (c) => {
    const rows = await lockOpenInboundLines(c, { site: input.site, kind: input.kind, docId: input.docId });
    const reports: DiscrepancyReport[] = [];
    for (const r of rows) {
      const item = { unitCost: n(r.unit_cost), skuClass: r.sku_class ?? 'C' };
      const base = { kind: 'receiving_variance' as const, site: input.site, sku: r.sku, ...item, source: input.source, detectedAt: new Date().toISOString() };
      const line = { line: r.line, expectedQty: n(r.expected_qty), location: r.location ?? undefined };
      const doc = { kind: input.kind, id: refId(input.docId) };
      for (const direction of ['short', 'over'] as const) {
        const proposal = lineVariance(base, { policy, zones: {}, item }, doc, line, n(r.received_qty), direction);
        const parsed = proposal ? DiscrepancyReport.safeParse(proposal) : undefined;
        if (parsed?.success) reports.push(parsed.data);
      }
    }
    const fresh: DiscrepancyReport[] = [];
    for (const report of reports) {
      if (!(await isDetected(c, report))) fresh.push(report);
    }
    await storeDetections(
      c,
      fresh.map((report) => ({ eventSource: WATCHER_SOURCE, eventId: input.watchId, detector: 'receivingMatch', detectorVersion: '1', mode: 'report' as const, report, receivedAt: input.dueAt })),
    );
    await closeInboundLines(c, { site: input.site, kind: input.kind, docId: input.docId });
  });
  return { caseIds: await dispatchDetections(deps, { eventSource: WATCHER_SOURCE, eventId: input.watchId }) };
}

export interface RecheckMismatchInput {
  watchId: string;
  /** the latest finding: where, and the item's cost and class */
  report: DiscrepancyReport;
  /** recorded histories may say 'ledger': Reckon's own balances are read either way */
  stockSource: 'ledger' | 'events';
  /** when the first event showing the mismatch was received */
  firstReceivedAt: string;
  /** every event that showed it during the window */
  eventIds: string[];
}

/** The end of a settling window: a mismatch still beyond tolerance now becomes (or joins) a case. */
export async function recheckMismatch(deps: DetectionDeps, input: RecheckMismatchInput): Promise<{ caseIds: string[] }> {
  const r = input.report;
  const [policy, stock, zone] = await Promise.all([
    getActivePolicy(deps.db),
    stockBalance(deps.db, { site: r.site, location: r.location ?? '', sku: r.sku }),
    zoneOfLocation(deps.db, r.site, r.location ?? ''),
  ]);
  if (!stock) return { caseIds: [] };
  const now = stock;
  const { expectedQty: _e, observedQty: _o, note: _n, ...base } = r;
  const zones = r.location && zone ? { [r.location]: zone } : {};
  const proposal = mismatchReport(
    { ...base, sourceEventIds: [...new Set(input.eventIds)].slice(-100), detectedAt: new Date().toISOString() },
    { policy: effectivePolicy(policy, r.site).document, zones, item: { unitCost: r.unitCost, skuClass: r.skuClass } },
    now,
  );
  const parsed = proposal ? DiscrepancyReport.safeParse(proposal) : undefined;
  if (!parsed?.success) return { caseIds: [] };
  await storeDetections(deps.db, [
    { eventSource: WATCHER_SOURCE, eventId: input.watchId, detector: 'system_mismatch', detectorVersion: '1', mode: 'report', report: parsed.data, receivedAt: input.firstReceivedAt },
  ]);
  return { caseIds: await dispatchDetections(deps, { eventSource: WATCHER_SOURCE, eventId: input.watchId }) };
}
