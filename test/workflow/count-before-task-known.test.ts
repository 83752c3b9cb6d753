import { defaultPayloadConverter } from '@temporalio/common';
import type { CaseState } from '../../src/domain';
import { listAudit } from '../../src/store/audit-repo';
import { COUNT_BEFORE_TASK_KNOWN_PATCH } from '../../src/workflows/count-results';
import { countResultSignal, stateQuery } from '../../src/workflows/messages';
import { startActivityRig, type ActivityRig } from '../support/activity-rig';
import type { Persona } from '../support/api';
import { seedBalance } from '../support/cases';
import { eventually, uniq } from '../support/engine';
import { createPerson, signedIn } from '../web/support';

/**
 * A count task exists in the WMS and in Reckon's record of it as soon as the task's activity has
 * written it, before the case has heard the task's id. A counter (or an automated count) that
 * answers in that window must still count: the case takes the result once its task is known.
 * Here the window is held open on purpose: the activity writes, then waits for the test.
 */
const integration: Persona = { userId: 'wms-integration', roles: ['integration'], sites: ['*'] };

let rig: ActivityRig;
/** sku → a count task's activity, written but not yet answered, waits for this */
const held = new Map<string, Promise<void>>();

beforeAll(async () => {
  rig = await startActivityRig({
    queue: 'early-count',
    shape: (activities) => {
      const createCountTask = activities.createCountTask;
      activities.createCountTask = async (cmd) => {
        const task = await createCountTask(cmd);
        // the task is in the WMS and in Reckon's store; its answer to the case is late
        await held.get(cmd.sku);
        return task;
      };
    },
  });
}, 60_000);

afterAll(async () => rig?.stop());

/**
 * A count 20 short of 100 at 10 each, beyond tolerance, so the policy recounts it first; its
 * count task as the API and the inbox see it, while the case does not know it yet.
 */
async function recountInWindow() {
  const sku = uniq('SKU');
  let answer!: () => void;
  held.set(sku, new Promise<void>((ok) => (answer = ok)));
  const site = uniq('DC-EARLY');
  await seedBalance(rig.db, { site, location: 'C-02', sku, wms: 100, erp: 100 });
  const res = await (await rig.api.as(integration)).post('/v1/discrepancies', {
    kind: 'count_variance', site, sku, location: 'C-02', expectedQty: 100, observedQty: 80,
    unitCost: 10, skuClass: 'C', source: 'wms', causedBy: ['counter-1'],
  });
  expect(res.status).toBe(202);
  const id = res.body.id as string;
  const task = await eventually(async () => (await rig.db.query<{ id: string }>(`SELECT id FROM count_tasks WHERE owner_id = $1 AND status = 'open'`, [id])).rows[0]);
  return { id, handle: rig.client.workflow.getHandle(res.body.workflowId as string), taskId: task.id, answer };
}

type Handle = Awaited<ReturnType<typeof recountInWindow>>['handle'];
const stateOf = async (handle: Handle) => (await handle.query(stateQuery, {})) as CaseState;

/** The count stands: the case scores it again and asks a person, well before the recount's 5 minutes. */
const awaitingApproval = (handle: Handle) => eventually(async () => {
  const s = await stateOf(handle);
  return s.status === 'awaiting_approval' ? s : undefined;
}, 60_000);

it('a count posted while the case is still learning its task id is taken, not ignored', async () => {
  const { id, handle, taskId, answer } = await recountInWindow();
  const counted = await (await rig.api.as(integration)).post('/v1/counts', { taskId, countedQty: 78, countedBy: 'counter-2' });
  expect(counted.status).toBe(202);
  expect(counted.body).toMatchObject({ caseId: id, signaled: true, replayed: false });
  answer();

  const waiting = await awaitingApproval(handle);
  expect(waiting.observedQty).toBe(78);
  expect(waiting.recounts).toEqual([expect.objectContaining({ taskId, countedQty: 78, countedBy: 'counter-2' })]);
  const actions = await eventually(async () => {
    const entries = await listAudit(rig.db, id);
    return entries.some((e) => e.action === 'approval_requested') ? entries : undefined;
  });
  expect(actions.filter((e) => e.action === 'count_result').map((e) => e.detail)).toEqual([{ taskId, countedQty: 78 }]);
  expect(actions.map((e) => e.action)).not.toContain('count_result_ignored');

  // the run recorded the patch where it took the early count, and replays as it ran
  const history = await handle.fetchHistory();
  const patches = (history.events ?? []).flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0];
    return data ? [defaultPayloadConverter.fromPayload<{ id: string }>(data).id] : [];
  });
  expect(patches).toContain(COUNT_BEFORE_TASK_KNOWN_PATCH);
  await expect(rig.replay(history)).resolves.toBeUndefined();
}, 120_000);

it('the same through the inbox: a counter enters the count on the counts page in that window and it is taken', async () => {
  const { handle, taskId, answer } = await recountInWindow();
  const counter = await createPerson(rig.db, { userId: uniq('counter'), roles: ['counter'], sites: ['*'] });
  const { agent, csrf } = await signedIn(rig.api.app, counter.userId);
  expect((await agent.get('/app/counts').expect(200)).text).toContain(taskId);
  const entered = await agent.post('/app/counts').type('form').send({ taskId, countedQty: '81', _csrf: csrf });
  expect(entered.status).toBe(303);
  expect(entered.headers.location).toBe(`/app/counts?done=${encodeURIComponent(taskId)}`);
  answer();

  const waiting = await awaitingApproval(handle);
  expect(waiting.observedQty).toBe(81);
  expect(waiting.recounts).toEqual([expect.objectContaining({ taskId, countedQty: 81, countedBy: counter.userId })]);
}, 120_000);

it('a count for another task that comes in that window is still refused, and the case waits for its own', async () => {
  const { id, handle, answer } = await recountInWindow();
  await handle.signal(countResultSignal, { taskId: 'CT-NOT-THIS-ONE', countedQty: 5, countedBy: 'counter-x', countedAt: new Date().toISOString() });
  answer();
  const ignored = await eventually(async () => (await listAudit(rig.db, id)).find((e) => e.action === 'count_result_ignored'));
  expect(ignored.detail).toEqual({ taskId: 'CT-NOT-THIS-ONE', reason: 'unknown task' });
  const s = await stateOf(handle);
  expect(s.status).toBe('awaiting_recount');
  expect(s.recounts).toEqual([expect.not.objectContaining({ countedQty: expect.anything() })]);
}, 120_000);
