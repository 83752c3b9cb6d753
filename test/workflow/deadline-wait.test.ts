import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { CaseState } from '../../src/domain';
import { LEAN_WAIT_PATCH } from '../../src/workflows/case-context';
import { approveUpdate, stateQuery } from '../../src/workflows/messages';
import { reportDiscrepancy, waitForStatus } from '../support/cases';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';
import { signedUpdate } from '../support/signed-update';
import { TEST_POLICY } from '../support/test-policy';

/**
 * A case waiting on a deadline (an SLA here) waits with fewer promises than the SDK's
 * condition(fn, timeout) makes (LEAN_WAIT_PATCH): the same timer, cancelled when a decision comes
 * first and fired when none does, and the Temporal UI's stack trace still shows an operator
 * where the case waits.
 */
let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => engine?.stop());

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

async function events(workflowId: string): Promise<HistoryEvent[]> {
  return (await engine.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** The patch ids a run recorded, in order. */
function patchIds(h: HistoryEvent[]): string[] {
  return h.flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== 'core_patch') return [];
    return [defaultPayloadConverter.fromPayload<{ id: string }>(m.details!['patch-data'].payloads![0]).id];
  });
}
const count = (h: HistoryEvent[], attribute: keyof HistoryEvent) => h.filter((e) => e[attribute]).length;

/**
 * The Temporal UI's "Stack Trace" tab for a case, once it rests in a wait with a deadline (a
 * query can land while the case still records the step that led there).
 */
async function traceAtRest(workflowId: string): Promise<string> {
  return eventually(async () => {
    const trace = await engine.client.workflow.getHandle(workflowId).query<string>('__stack_trace');
    return trace.includes('conditionOrDeadline') ? trace : undefined;
  });
}

it('a decision before the SLA cancels the rung timer, and the case closes with it never fired', async () => {
  const site = uniq('S');
  // 10 short at 50: 500 at risk, a medium review with an 8 h first rung and one approver
  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'receiving_variance', site, sku: uniq('SKU'), location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 120, observedQty: 110, unitCost: 50, skuClass: 'C', source: 'erp',
  });
  const waiting = await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  expect(waiting.ownerRole).toBe('inventory_control');

  // the operator's view still shows where the case rests: its timer and its condition
  const trace = await traceAtRest(handle.workflowId);
  expect(trace).toMatch(/at rest \(/);
  expect(trace.match(/at conditionOrDeadline /g)).toHaveLength(2);

  await signedUpdate(handle, approveUpdate, { actor: { userId: 'ic-1', roles: ['inventory_control'], sites: [site] }, reasonCode: 'SHORT_SHIP' });
  expect((await handle.result()) as CaseState).toMatchObject({ status: 'closed', resolution: 'approved_adjusted' });

  const h = await events(handle.workflowId);
  // the new case ran the lean wait: its marker, and only its marker (it implies the ones before)
  expect(patchIds(h)).toEqual([LEAN_WAIT_PATCH]);
  // the SLA timer was started and cancelled by the decision, never fired
  expect(count(h, 'timerStartedEventAttributes')).toBe(1);
  expect(count(h, 'timerCanceledEventAttributes')).toBe(1);
  expect(count(h, 'timerFiredEventAttributes')).toBe(0);
});

it('an SLA that runs out fires the rung timer and escalates; the next rung waits on a timer of its own', async () => {
  const site = uniq('S');
  const ladder = TEST_POLICY.ladders.high;
  // 60 short at 50: 3000 at risk, a high case on the test ladder (4 s rungs)
  const handle = await reportDiscrepancy(engine.client, engine.config.TEMPORAL_TASK_QUEUE, {
    kind: 'receiving_variance', site, sku: uniq('SKU'), location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 120, observedQty: 60, unitCost: 50, skuClass: 'B', source: 'erp',
  });
  await waitForStatus(engine.client, handle.workflowId, ['awaiting_approval']);
  const second = await eventually(async () => {
    const s = await handle.query(stateQuery, {});
    return s.escalationLevel === 1 ? s : undefined;
  }, 30_000);
  expect(second).toMatchObject({ ownerRole: ladder.rungs[1].role, breached: true });

  // the second rung rests on a timer of its own: the first one fired, nothing was cancelled
  const trace = await traceAtRest(handle.workflowId);
  expect(trace.match(/at conditionOrDeadline /g)).toHaveLength(2);
  const h = await events(handle.workflowId);
  expect(count(h, 'timerStartedEventAttributes')).toBe(2);
  expect(count(h, 'timerFiredEventAttributes')).toBe(1);
  expect(count(h, 'timerCanceledEventAttributes')).toBe(0);
  await handle.terminate('test done');
});
