import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../domain/core';
import { watchUntil } from './condition-or-deadline';
import { tellCase } from './watch-evidence';
import {
  transferReceivedSignal,
  transferShippedSignal,
  WATCH_HORIZON,
  watchStateQuery,
  type TransferReceived,
  type TransferShipped,
  type WatchResult,
} from './watch-messages';
import { watchCases, watchPolicy } from './watch-proxies';

/**
 * transferWatch: a shipped transfer must be received by its ETA plus the policy's grace, else a
 * transfer_delay case opens at the destination. A receipt that comes later still is told to the
 * case. Started by whichever of shipment and receipt arrives first (signalWithStart).
 */
export async function transferWatch(): Promise<WatchResult> {
  let shipped: TransferShipped | undefined;
  let received: TransferReceived | undefined;
  const watch: { deadline?: string; caseId?: string } = {};
  setHandler(transferShippedSignal, (s) => void (shipped ??= s));
  setHandler(transferReceivedSignal, (r) => void (received ??= r));
  setHandler(watchStateQuery, () => ({ shipped, received, ...watch }));

  await condition(() => shipped !== undefined || received !== undefined);
  if (!shipped) {
    // received before the shipment was heard of: nothing can be late; wait to pair them up
    const paired = await watchUntil(() => shipped !== undefined, WATCH_HORIZON);
    return { outcome: paired ? 'in_time' : 'partner_never_came', caseIds: [] };
  }
  if (received) return { outcome: 'in_time', caseIds: [] };

  // the detector windows as the (receiving) site's policy sets them
  const policy = await watchPolicy.pinPolicy(shipped.toSite ?? shipped.site);
  const due = Date.parse(shipped.eta) + durationMs(policy.document.watchers.transferGrace);
  const deadline = new Date(due).toISOString();
  watch.deadline = deadline;
  if (await watchUntil(() => received !== undefined, Math.max(1, due - Date.now()), { summary: `transfer ${shipped.transferId}: receipt due by ${deadline} (ETA + grace)` })) {
    return { outcome: 'in_time', caseIds: [] };
  }

  const s: TransferShipped = shipped;
  const opened = await watchCases.openWatcherCase({
    watchId: `${workflowInfo().workflowId}:${workflowInfo().runId}:late`,
    detector: 'transferWatch',
    detectorVersion: '1',
    dueAt: deadline,
    report: {
      kind: 'transfer_delay',
      site: s.toSite ?? s.site,
      sku: s.sku,
      location: s.toSite ? s.toLocation : s.location,
      reference: { kind: 'transfer', id: s.transferId },
      expectedQty: s.qty,
      observedQty: 0,
      unitCost: s.unitCost,
      skuClass: s.skuClass,
      process: 'transfers',
      source: s.source,
      sourceEventIds: [s.eventId],
      note: `transfer ${s.transferId} shipped ${s.shippedAt} from ${s.site}, due ${s.eta} plus ${policy.document.watchers.transferGrace} grace, not received by ${deadline}`,
    },
  });
  watch.caseId = opened.caseId;
  if (await watchUntil(() => received !== undefined, WATCH_HORIZON, { summary: `transfer ${s.transferId}: late, watching for the receipt` })) {
    await tellCase(opened.workflowId, 'transferWatch', `transfer ${s.transferId} was received at ${received!.site} on ${received!.receivedAt} (${received!.qty}), after its deadline ${deadline}`);
    return { outcome: 'late_then_arrived', caseIds: [opened.caseId] };
  }
  return { outcome: 'late_case_opened', caseIds: [opened.caseId] };
}
