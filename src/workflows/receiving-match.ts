import { setHandler, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../domain/core';
import { watchUntil } from './condition-or-deadline';
import {
  documentAnnouncedSignal,
  documentClosedSignal,
  WATCH_HORIZON,
  watchStateQuery,
  type DocumentAnnounced,
  type DocumentClosed,
  type WatchResult,
} from './watch-messages';
import { watchCases, watchPolicy } from './watch-proxies';

/**
 * receivingMatch: an ASN (or PO) is compared with its receipts when it is due — its expected
 * arrival (else its announcement) plus the policy's `receivingDueAfter` — unless a receipt
 * closes the document first (the receiving detector compares it then). An amended document
 * moves the due time. Receipts themselves are folded into features by the intake.
 */
export async function receivingMatch(): Promise<WatchResult> {
  let doc: DocumentAnnounced | undefined;
  let closed: DocumentClosed | undefined;
  let deadline: string | undefined;
  setHandler(documentAnnouncedSignal, (d) => void (doc = d));
  setHandler(documentClosedSignal, (c) => void (closed ??= c));
  setHandler(watchStateQuery, () => ({ doc, closed, deadline }));

  if (!(await watchUntil(() => doc !== undefined || closed !== undefined, WATCH_HORIZON))) return { outcome: 'partner_never_came', caseIds: [] };
  if (closed) return { outcome: 'closed_by_receipt', caseIds: [] };

  // the detector windows as the site's policy sets them
  const policy = await watchPolicy.pinPolicy(doc!.site);
  const dueAfter = durationMs(policy.document.watchers.receivingDueAfter);
  for (;;) {
    const current: DocumentAnnounced = doc!;
    const due = Date.parse(current.expectedAt ?? current.announcedAt) + dueAfter;
    deadline = new Date(due).toISOString();
    const woke = await watchUntil(() => closed !== undefined || doc !== current, Math.max(1, due - Date.now()), {
      summary: `${current.kind} ${current.docId}: receipt due by ${deadline}`,
    });
    if (closed) return { outcome: 'closed_by_receipt', caseIds: [] };
    if (!woke) break;
  }
  const d: DocumentAnnounced = doc!;
  const { caseIds } = await watchCases.compareReceiving({
    watchId: `${workflowInfo().workflowId}:${workflowInfo().runId}:due`,
    site: d.site,
    kind: d.kind,
    docId: d.docId,
    source: d.source,
    dueAt: deadline,
  });
  return { outcome: 'compared', caseIds };
}
