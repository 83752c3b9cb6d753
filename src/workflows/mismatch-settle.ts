import { condition, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../domain/core';
import { mismatchSeenSignal, watchStateQuery, type MismatchSeen, type WatchResult } from './watch-messages';
import { watchCases, watchPolicy } from './watch-proxies';

/**
 * mismatchSettle: the settling window of system_mismatch. WMS and ERP views differ legitimately
 * for a while (postings lag), so a mismatch the detector sees becomes a case only if it is still
 * beyond tolerance when the policy's `watchers.mismatchSettleAfter` has passed since it was first
 * seen. A durable timer rather than "check on the next event": a balance may see no further
 * event for days, and the mismatch must still surface. Mismatches seen while a re-check runs
 * start another window.
 */
export async function mismatchSettle(): Promise<WatchResult> {
  const seen: MismatchSeen[] = [];
  const keys = new Set<string>();
  const caseIds: string[] = [];
  let deadline: string | undefined;
  setHandler(mismatchSeenSignal, (m) => {
    if (keys.has(m.eventKey)) return;
    keys.add(m.eventKey);
    seen.push(m);
  });
  setHandler(watchStateQuery, () => ({ seen: seen.length, deadline, caseIds }));

  await condition(() => seen.length > 0);
  // one balance's watch: its site's settling window
  const policy = await watchPolicy.pinPolicy(seen[0].report.site);
  const window = durationMs(policy.document.watchers.mismatchSettleAfter);
  let done = 0;
  for (let round = 0; done < seen.length; round++) {
    const batch = seen.slice(done);
    done = seen.length;
    const due = Date.parse(batch[0].receivedAt) + window;
    deadline = new Date(due).toISOString();
    await sleep(Math.max(1, due - Date.now()), { summary: `WMS/ERP mismatch: settling until ${deadline}` });
    const latest = batch[batch.length - 1];
    const result = await watchCases.recheckMismatch({
      watchId: `${workflowInfo().workflowId}:${workflowInfo().runId}:${round}`,
      report: latest.report,
      stockSource: latest.stockSource,
      firstReceivedAt: batch[0].receivedAt,
      eventIds: batch.flatMap((m) => m.report.sourceEventIds),
    });
    caseIds.push(...result.caseIds.filter((id) => !caseIds.includes(id)));
  }
  return { outcome: caseIds.length ? 'reported' : 'settled', caseIds };
}
