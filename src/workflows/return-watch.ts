import { condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../domain/core';
import { watchUntil } from './condition-or-deadline';
import { handHoldToCase, tellCase } from './watch-evidence';

/**
 * Patch id: the hold goes to the case, which releases it when it closes (before, a return whose
 * disposition never came kept its hold for ever once the watch ended).
 */
export const RETURN_HOLD_TO_CASE_PATCH = 'return-hold-handed-to-case';
import {
  returnDispositionSignal,
  returnReceivedSignal,
  WATCH_HORIZON,
  watchStateQuery,
  type ReturnDisposition,
  type ReturnReceived,
  type WatchResult,
} from './watch-messages';
import { watchCases, watchPolicy, watchWrites } from './watch-proxies';

/**
 * returnWatch: a received return needs a disposition by its due date (else the receipt time
 * plus the policy's window). When none comes, the returned stock is held from availability
 * through the WMS port — it is not known to be sellable — and a return_unposted case opens.
 * A disposition that comes later releases the hold and is told to the case.
 */
export async function returnWatch(): Promise<WatchResult> {
  let received: ReturnReceived | undefined;
  let disposition: ReturnDisposition | undefined;
  const watch: { deadline?: string; caseId?: string; holdId?: string } = {};
  setHandler(returnReceivedSignal, (r) => void (received ??= r));
  setHandler(returnDispositionSignal, (d) => void (disposition ??= d));
  setHandler(watchStateQuery, () => ({ received, disposition, ...watch }));

  await condition(() => received !== undefined || disposition !== undefined);
  if (!received) {
    const paired = await watchUntil(() => received !== undefined, WATCH_HORIZON);
    return { outcome: paired ? 'in_time' : 'partner_never_came', caseIds: [] };
  }
  if (disposition) return { outcome: 'in_time', caseIds: [] };

  // the detector windows as the site's policy sets them
  const policy = await watchPolicy.pinPolicy(received.site);
  const due = received.dispositionDueBy
    ? Date.parse(received.dispositionDueBy)
    : Date.parse(received.receivedAt) + durationMs(policy.document.watchers.returnDispositionWithin);
  const deadline = new Date(due).toISOString();
  watch.deadline = deadline;
  if (await watchUntil(() => disposition !== undefined, Math.max(1, due - Date.now()), { summary: `return ${received.returnId}: disposition due by ${deadline}` })) {
    return { outcome: 'in_time', caseIds: [] };
  }

  const r: ReturnReceived = received;
  const me = `${workflowInfo().workflowId}:${workflowInfo().runId}`;
  // expected: the returned quantity dispositioned; observed: none of it
  const opened = await watchCases.openWatcherCase({
    watchId: `${me}:late`,
    detector: 'returnWatch',
    detectorVersion: '1',
    dueAt: deadline,
    report: {
      kind: 'return_unposted',
      site: r.site,
      sku: r.sku,
      location: r.location,
      reference: { kind: 'return', id: r.returnId },
      expectedQty: r.qty,
      observedQty: 0,
      unitCost: r.unitCost,
      skuClass: r.skuClass,
      process: 'returns',
      source: r.source,
      sourceEventIds: [r.eventId],
      note: `return ${r.returnId} received ${r.receivedAt}, no disposition by ${deadline}; the returned stock is held from availability`,
    },
  });
  watch.caseId = opened.caseId;
  const hold = await watchWrites.placeHold({
    site: r.site,
    location: r.location,
    sku: r.sku,
    qty: r.qty,
    reason: `return ${r.returnId} without disposition`,
    caseId: opened.caseId,
    idempotencyKey: `${me}:hold`,
  });
  watch.holdId = hold.holdId;
  let caseOwnsHold = false;
  if (patched(RETURN_HOLD_TO_CASE_PATCH)) {
    caseOwnsHold = await handHoldToCase(opened.workflowId, { holdId: hold.holdId, qty: r.qty, from: 'returnWatch' });
    if (!caseOwnsHold) {
      // the case closed already: nobody would own the hold
      await watchWrites.releaseHold({ holdId: hold.holdId, idempotencyKey: `${me}:release` });
      return { outcome: 'late_case_opened', caseIds: [opened.caseId] };
    }
  }

  if (await watchUntil(() => disposition !== undefined, WATCH_HORIZON, { summary: `return ${r.returnId}: held, watching for the disposition` })) {
    await watchWrites.releaseHold({ holdId: hold.holdId, idempotencyKey: `${me}:release` });
    await tellCase(opened.workflowId, 'returnWatch', `return ${r.returnId} got its disposition (${disposition!.disposition ?? 'unspecified'}) on ${disposition!.at}; hold ${hold.holdId} released`);
    return { outcome: 'late_then_arrived', caseIds: [opened.caseId] };
  }
  // no disposition within the horizon: the case owns the hold and releases it when it closes
  return { outcome: 'late_case_opened', caseIds: [opened.caseId] };
}
