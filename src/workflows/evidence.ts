import type { EvidenceReads, EvidenceReadsQuery } from '../activities/evidence';
import { evidenceOf, type CaseState, type Evidence, type EvidenceSource } from '../domain/core';
import { erpEvidence as erp, localErpEvidence, localEvidenceReads, localReckonEvidence, localWmsEvidence, reckonEvidence as reckon, wmsEvidence as wms } from './activity-proxies';

/**
 * Patch id: a case running its automatic steps locally asks every evidence source in one local
 * activity first (one marker, one round trip), and only what failed there one source at a time.
 * Decided once, as the first command of each run (discrepancyWorkflow): a patch first met after a
 * local activity's result could be met on replay before Temporal has told the run it is present.
 */
export const EVIDENCE_IN_ONE_READ_PATCH = 'evidence-in-one-read';

export function stockKey(s: CaseState): { site: string; sku: string; location?: string } {
  return { site: s.report.site, sku: s.report.sku, location: s.report.location };
}

/** What every evidence source of the case is asked in one read: its stock, its document, its source events. */
export function evidenceQuery(s: CaseState): EvidenceReadsQuery {
  const ref = s.report.reference;
  return {
    key: stockKey(s),
    reference: ref ? { kind: ref.kind, id: ref.id } : undefined,
    prior: { caseId: s.caseId, dedupeKey: s.dedupeKey, sourceEventIds: s.sourceEventIds },
  };
}

/**
 * Every source in parallel; a source that fails after its retries is named in `missing`
 * and the case goes on with what it has. `opened`: what a lean case's opening read already
 * found (only its failed sources are asked again).
 */
export async function gatherEvidence(s: CaseState, local = false, oneRead = false, opened?: EvidenceReads): Promise<Evidence> {
  // local: the same reads as local activities (LOCAL_AUTOMATIC_STEPS_PATCH, checked by the caller)
  const wmsEvidence = local ? localWmsEvidence : wms;
  const erpEvidence = local ? localErpEvidence : erp;
  const reckonEvidence = local ? localReckonEvidence : reckon;
  const key = stockKey(s);
  const ref = s.report.reference;
  const sources: [EvidenceSource, () => Promise<unknown>][] = [
    ['wmsBalance', () => wmsEvidence.fetchWmsBalance(key)],
    ['erpOnHand', () => erpEvidence.fetchErpOnHand(key)],
    ['openAllocations', () => erpEvidence.fetchOpenAllocations(key)],
    ['inbound', () => erpEvidence.fetchInboundDocuments({ key, reference: ref ? { kind: ref.kind, id: ref.id } : undefined })],
    ['transfersInTransit', () => erpEvidence.fetchTransfersInTransit(key)],
    ['returnsPending', () => wmsEvidence.fetchReturnsPending(key)],
    ['recentTransactions', () => wmsEvidence.fetchRecentTransactions(key)],
    ['recentAdjustments', () => wmsEvidence.fetchRecentAdjustments(key)],
    ['countHistory', () => wmsEvidence.fetchCountHistory(key)],
    ['priorCases', () => reckonEvidence.findPriorCases({ caseId: s.caseId, dedupeKey: s.dedupeKey, sourceEventIds: s.sourceEventIds })],
  ];
  let evidence: Evidence = { missing: [] };
  let ask = sources;
  if (local && oneRead) {
    const first = opened ?? (await localEvidenceReads.readEvidence(evidenceQuery(s)).catch(() => undefined));
    if (first) {
      evidence = evidenceOf(first.found);
      ask = sources.filter(([name]) => first.failed.includes(name));
    }
  }
  if (ask.length === 0) return evidence;
  const settled = await Promise.allSettled(ask.map(([, fetch]) => fetch()));
  settled.forEach((r, i) => {
    const name = ask[i][0];
    if (r.status === 'fulfilled') (evidence as unknown as Record<string, unknown>)[name] = r.value;
    else evidence.missing.push(name);
  });
  return evidence;
}
