import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createReferenceLedger } from '../../fake-wms/ledger';
import { createActivities } from '../../src/activities';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { CaseState } from '../../src/domain';
import { listAudit } from '../../src/store/audit-repo';
import { createPool } from '../../src/store/db';
import { temporalConnectionOptions } from '../../src/temporal/connection';
import { actorProofDataConverter } from '../../src/temporal/actor-proof-codec';
import { reckonWorkerInterceptors, WORKFLOW_INTERCEPTOR_MODULES } from '../../src/temporal/worker-interceptors';
import { COUNT_BEFORE_TASK_KNOWN_PATCH } from '../../src/workflows/count-results';
import { stateQuery } from '../../src/workflows/messages';
import { startApi, type Api, type Persona } from '../support/api';
import { seedBalance } from '../support/cases';
import { createPerson, signedIn } from '../web/support';
import { eventually, uniq, type Engine } from '../support/engine';

/**
 * A count task exists in the WMS and in Reckon's record of it as soon as the task's activity has
 * written it, before the case has heard the task's id. A counter (or an automated count) that
 * answers in that window must still count: the case takes the result once its task is known.
 * Here the window is held open on purpose: the activity writes, then waits for the test.
 */
const integration: Persona = { userId: 'wms-integration', roles: ['integration'], sites: ['*'] };

let db: Pool;
let bundle: WorkflowBundle;
let native: NativeConnection;
let connection: Connection;
let worker: Worker;
let running: Promise<void>;
let api: Api;
let client: Client;
/** sku → a count task's activity, written but not yet answered, waits for this to be called */
const held = new Map<string, Promise<void>>();

beforeAll(async () => {
  const config: Config = { ...loadConfig(), TEMPORAL_TASK_QUEUE: uniq('early-count') };
  db = createPool(config.DATABASE_URL, 10);
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  native = await NativeConnection.connect(temporalConnectionOptions(config));
  connection = await Connection.connect(temporalConnectionOptions(config));
  const ledger = createReferenceLedger(db);
  const logger = createLogger({ LOG_LEVEL: 'warn' }, 'test-worker');
  const activities = createActivities({ db, wms: ledger.wms, erp: ledger.erp, notifier: ledger.notifier, logger, evidenceLookbackDays: config.EVIDENCE_LOOKBACK_DAYS });
  const createCountTask = activities.createCountTask;
  activities.createCountTask = async (cmd) => {
    const task = await createCountTask(cmd);
    // the task is in the WMS and in Reckon's store; its answer to the case is late
    await held.get(cmd.sku);
    return task;
  };
  worker = await Worker.create({
    connection: native,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowBundle: bundle,
    activities,
    interceptors: reckonWorkerInterceptors(logger, { prebundled: true }),
    dataConverter: actorProofDataConverter(config),
  });
  running = worker.run();
  client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  api = await startApi({ config, db, client } as unknown as Engine);
}, 60_000);

afterAll(async () => {
  await api?.stop();
  worker?.shutdown();
  await running?.catch(() => undefined);
  await native?.close();
  await connection?.close();
  await db?.end();
});

/** A count 20 short of 100 at 10 each: beyond tolerance, so the policy recounts it first. */
async function recountCase(sku: string) {
  const site = uniq('DC-EARLY');
  await seedBalance(db, { site, location: 'C-02', sku, wms: 100, erp: 100 });
  const res = await (await api.as(integration)).post('/v1/discrepancies', {
    kind: 'count_variance', site, sku, location: 'C-02', expectedQty: 100, observedQty: 80,
    unitCost: 10, skuClass: 'C', source: 'wms', causedBy: ['counter-1'],
  });
  expect(res.status).toBe(202);
  return { id: res.body.id as string, workflowId: res.body.workflowId as string };
}

const openTaskOf = (caseId: string) =>
  eventually(async () => (await db.query<{ id: string }>(`SELECT id FROM count_tasks WHERE owner_id = $1 AND status = 'open'`, [caseId])).rows[0]);

it('a count posted while the case is still learning its task id is taken, not ignored', async () => {
  const sku = uniq('SKU');
  let answer!: () => void;
  held.set(sku, new Promise<void>((ok) => (answer = ok)));
  const { id, workflowId } = await recountCase(sku);
  const task = await openTaskOf(id);

  const counted = await (await api.as(integration)).post('/v1/counts', { taskId: task.id, countedQty: 78, countedBy: 'counter-2' });
  expect(counted.status).toBe(202);
  expect(counted.body).toMatchObject({ caseId: id, signaled: true, replayed: false });
  answer();

  // the count stands: the case scores it again and asks a person, well before the recount's 5 minutes
  const handle = client.workflow.getHandle(workflowId);
  const waiting = await eventually(async () => {
    const s = (await handle.query(stateQuery, {})) as CaseState;
    return s.status === 'awaiting_approval' ? s : undefined;
  }, 60_000);
  expect(waiting.observedQty).toBe(78);
  expect(waiting.recounts).toEqual([expect.objectContaining({ taskId: task.id, countedQty: 78, countedBy: 'counter-2' })]);
  const actions = await eventually(async () => {
    const entries = await listAudit(db, id);
    return entries.some((e) => e.action === 'approval_requested') ? entries : undefined;
  });
  expect(actions.filter((e) => e.action === 'count_result').map((e) => e.detail)).toEqual([{ taskId: task.id, countedQty: 78 }]);
  expect(actions.map((e) => e.action)).not.toContain('count_result_ignored');

  // the run recorded the patch where it took the early count, and replays as it ran
  const history = await handle.fetchHistory();
  const patches = (history.events ?? []).flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0];
    return data ? [defaultPayloadConverter.fromPayload<{ id: string }>(data).id] : [];
  });
  expect(patches).toContain(COUNT_BEFORE_TASK_KNOWN_PATCH);
  await expect(Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: actorProofDataConverter(loadConfig()) }, history)).resolves.toBeUndefined();
}, 120_000);

it('the same through the inbox: a counter enters the count on the counts page in that window and it is taken', async () => {
  const sku = uniq('SKU');
  let answer!: () => void;
  held.set(sku, new Promise<void>((ok) => (answer = ok)));
  const { id, workflowId } = await recountCase(sku);
  const task = await openTaskOf(id);
  const counter = await createPerson(db, { userId: uniq('counter'), roles: ['counter'], sites: ['*'] });
  const { agent, csrf } = await signedIn(api.app, counter.userId);
  const page = await agent.get('/app/counts').expect(200);
  expect(page.text).toContain(task.id);
  const entered = await agent.post('/app/counts').type('form').send({ taskId: task.id, countedQty: '81', _csrf: csrf });
  expect(entered.status).toBe(303);
  expect(entered.headers.location).toBe(`/app/counts?done=${encodeURIComponent(task.id)}`);
  answer();
  const handle = client.workflow.getHandle(workflowId);
  const waiting = await eventually(async () => {
    const s = (await handle.query(stateQuery, {})) as CaseState;
    return s.status === 'awaiting_approval' ? s : undefined;
  }, 60_000);
  expect(waiting.observedQty).toBe(81);
  expect(waiting.recounts).toEqual([expect.objectContaining({ taskId: task.id, countedQty: 81, countedBy: counter.userId })]);
}, 120_000);

it('a count for another task that comes in that window is still refused, and the case waits for its own', async () => {
  const sku = uniq('SKU');
  let answer!: () => void;
  held.set(sku, new Promise<void>((ok) => (answer = ok)));
  const { id, workflowId } = await recountCase(sku);
  await openTaskOf(id);
  const handle = client.workflow.getHandle(workflowId);
  const { countResultSignal } = await import('../../src/workflows/messages');
  await handle.signal(countResultSignal, { taskId: 'CT-NOT-THIS-ONE', countedQty: 5, countedBy: 'counter-x', countedAt: new Date().toISOString() });
  answer();
  const ignored = await eventually(async () => (await listAudit(db, id)).find((e) => e.action === 'count_result_ignored'));
  expect(ignored.detail).toEqual({ taskId: 'CT-NOT-THIS-ONE', reason: 'unknown task' });
  const s = (await handle.query(stateQuery, {})) as CaseState;
  expect(s.status).toBe('awaiting_recount');
  expect(s.recounts).toEqual([expect.not.objectContaining({ countedQty: expect.anything() })]);
}, 120_000);
