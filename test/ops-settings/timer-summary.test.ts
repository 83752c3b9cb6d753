import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { stateQuery } from '../../src/workflows/messages';
import { TEST_POLICY } from '../support/test-policy';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { reportDiscrepancy, seedBalance, waitForStatus } from '../support/cases';

/**
 * Operators read a case's timers in the Temporal UI's event history: each timer says what it
 * waits for and how long the policy gives it, so a stuck case can be read without the code.
 */
let engine: Engine;
const running: WorkflowHandle[] = [];
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => {
  for (const h of running) await h.terminate('timer-summary test done').catch(() => undefined);
  await engine?.stop();
});

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

function timerSummaries(events: HistoryEvent[]): string[] {
  return events
    .filter((e) => e.timerStartedEventAttributes)
    .map((e) => (e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : '(no summary)'));
}

/** The workflow's "current details" as the UI shows them (the SDK's built-in metadata query). */
async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const meta = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return meta.currentDetails ?? '';
}

it("an escalating case's history names each SLA timer by role and duration, and still replays", async () => {
  const ladder = TEST_POLICY.ladders.high;
  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'receiving_variance', site: uniq('S'), sku: uniq('SKU'), location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 120, observedQty: 60, unitCost: 50, skuClass: 'B', source: 'erp',
  });
  running.push(handle);
  const waiting = await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  expect(waiting.ownerRole).toBe(ladder.rungs[0].role);
  // the details pane says who must act and by when
  // (the status turns awaiting_approval before the notification activity; the details follow at the transition's record)
  const details = await eventually(async () => {
    const d = await currentDetails(handle);
    return d.includes('SLA: ') ? d : undefined;
  });
  expect(details).toContain(`SLA: ${ladder.rungs[0].role}, ${ladder.rungs[0].sla} (rung 1/${ladder.rungs.length})`);
  expect(details).toContain(`due ${waiting.slaDeadline}`);

  // the last rung's SLA passes: hold_and_page leaves the case open for the paged role, with no timer
  await eventually(async () => {
    const s = await handle.query(stateQuery, {});
    return s.escalationLevel === ladder.rungs.length && s.hold !== undefined;
  }, 60_000);

  const history = await handle.fetchHistory();
  // one SLA timer per rung, each fired (nobody acted), in ladder order
  expect(timerSummaries(history.events ?? [])).toEqual(ladder.rungs.map((r) => `SLA: ${r.role}, ${r.sla}`));
  expect((history.events ?? []).filter((e) => e.timerFiredEventAttributes)).toHaveLength(ladder.rungs.length);
  // summaries are metadata: the history replays against the current code
  await expect(Worker.runReplayHistory({ workflowBundle: engine.workflowBundle }, history, handle.workflowId)).resolves.toBeUndefined();
});

it("a recount's wait timer names the count task and the policy's recount timeout", async () => {
  const site = uniq('DC');
  const sku = uniq('SKU');
  await seedBalance(engine.db, { site, location: 'C-02-01', sku, wms: 100, erp: 100 });
  // 20 of 100 short at 10 each: beyond class C tolerance, recountable → a count task
  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'count_variance', site, sku, location: 'C-02-01', expectedQty: 100, observedQty: 80,
    unitCost: 10, skuClass: 'C', source: 'wms',
  });
  running.push(handle);
  // the status turns to awaiting_recount before the count task exists: wait for the timer itself
  const summaries = await eventually(async () => {
    const found = timerSummaries((await handle.fetchHistory()).events ?? []);
    return found.length > 0 ? found : undefined;
  });
  const taskId = (await waitForStatus(engine.client, handle.workflowId, ['awaiting_recount'])).recounts[0].taskId;
  expect(summaries).toEqual([
    `recount ${taskId}: waiting for the count result, ${TEST_POLICY.recounts.timeout}`,
  ]);
});
