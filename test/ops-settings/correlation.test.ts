import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from '../../src/activities';
import type { ErpPort, WmsPort } from '../../src/adapters/ports';
import { createReferenceLedger } from '../../fake-wms/ledger';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { currentCorrelationId } from '../../src/observability/correlation';
import { createPool } from '../../src/store/db';
import { reckonClientInterceptors } from '../../src/temporal/client-interceptors';
import { temporalConnectionOptions } from '../../src/temporal/connection';
import { actorProofDataConverter } from '../../src/temporal/actor-proof-codec';
import { reckonWorkerInterceptors, WORKFLOW_INTERCEPTOR_MODULES } from '../../src/temporal/worker-interceptors';
import { createReckonWorker } from '../../src/workers/build';
import { startApi, type Api, type Persona } from '../support/api';
import { eventually, uniq, type Engine } from '../support/engine';
import { captureLogs, type LogLine } from './support';

/**
 * A correlation id given to the API follows the case into the workflow and out to every
 * activity's log lines and to the adapter calls those activities make; an approver's request
 * brings its own id, which the writes it causes carry from then on.
 */
Runtime.install({ logger: new DefaultLogger('WARN') });

const integration: Persona = { userId: 'wms-integration', roles: ['integration'], sites: ['*'] };

interface Rig {
  config: Config;
  client: Client;
  api: Api;
  logs: LogLine[];
  stop(): Promise<void>;
}

let db: Pool;
let bundle: WorkflowBundle;
let native: NativeConnection;
let connection: Connection;
const rigs: Rig[] = [];

beforeAll(async () => {
  const config = loadConfig();
  db = createPool(config.DATABASE_URL, 10);
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  native = await NativeConnection.connect(temporalConnectionOptions(config));
  connection = await Connection.connect(temporalConnectionOptions(config));
});

afterAll(async () => {
  for (const r of rigs) await r.stop();
  await native?.close();
  await connection?.close();
  await db?.end();
});

/** A worker on its own task queue, an API whose Temporal client carries correlation ids. */
async function rig(makeWorker: (config: Config, logs: ReturnType<typeof captureLogs>) => Promise<Worker>): Promise<Rig> {
  const config: Config = { ...loadConfig(), TEMPORAL_TASK_QUEUE: uniq('reckon-corr') };
  const captured = captureLogs();
  const worker = await makeWorker(config, captured);
  const running = worker.run();
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: reckonClientInterceptors() });
  const api = await startApi({ config, db, client } as unknown as Engine);
  const r: Rig = {
    config,
    client,
    api,
    logs: captured.lines,
    async stop() {
      await api.stop();
      worker.shutdown();
      await running.catch(() => undefined);
    },
  };
  rigs.push(r);
  return r;
}

async function reviewCase(r: Rig, correlationId: string): Promise<{ id: string; site: string; sku: string }> {
  const site = uniq('DC-CORR');
  const sku = uniq('SKU');
  const res = await (await r.api.as(integration))
    .post('/v1/discrepancies', {
      kind: 'receiving_variance', site, sku, location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
      expectedQty: 500, observedQty: 490, unitCost: 10, skuClass: 'A', source: 'erp',
    })
    .set('X-Correlation-Id', correlationId);
  expect(res.status).toBe(202);
  expect(res.headers['x-correlation-id']).toBe(correlationId);
  await statusOf(res.body.id, 'awaiting_approval');
  return { id: res.body.id as string, site, sku };
}

async function approve(r: Rig, c: { id: string; site: string }, correlationId: string): Promise<void> {
  const approver = await r.api.as({ userId: uniq('ic'), roles: ['inventory_control'], sites: [c.site] });
  const res = await approver.post(`/v1/discrepancies/${c.id}/approve`, { reasonCode: 'SHORT_SHIP' }).set('X-Correlation-Id', correlationId);
  expect(res.status).toBe(200);
  await statusOf(c.id, 'closed');
}

async function statusOf(id: string, status: string): Promise<void> {
  await eventually(async () => (await db.query('SELECT status FROM discrepancies WHERE id = $1', [id])).rows[0]?.status === status);
}

function activitiesLoggedWith(logs: LogLine[], correlationId: string): Set<string> {
  return new Set(logs.filter((l) => l.msg === 'activity completed' && l.correlationId === correlationId).map((l) => String(l.activity)));
}

it('the Reckon worker logs every activity of a case with the correlation id of the request that caused it', async () => {
  const r = await rig((config, captured) =>
    createReckonWorker({ config, db, logger: createLogger({ LOG_LEVEL: 'info' }, 'test-worker', captured.stream), connection: native, workflowBundle: bundle }),
  );
  const reported = `rep-${randomUUID()}`;
  const approved = `apr-${randomUUID()}`;
  const c = await reviewCase(r, reported);
  await approve(r, c, approved);

  const fromReport = activitiesLoggedWith(r.logs, reported);
  // the opening read pins the policy, reads the evidence and scores (one local activity)
  for (const a of ['readOpening', 'notifyRole', 'recordTransition']) {
    expect(fromReport).toContain(a);
  }
  expect(activitiesLoggedWith(r.logs, approved)).toEqual(new Set(['postAdjustment', 'recordTransition']));
  // every line of the case's activities names its workflow
  const line = r.logs.find((l) => l.correlationId === reported && l.activity === 'readOpening')!;
  expect(line.workflowId).toMatch(/^disc-receiving_variance-/);
  expect(r.logs.filter((l) => l.msg === 'activity completed' && !l.correlationId)).toEqual([]);

  // the history now holds correlation headers (start, update, activities): it replays as it ran
  const workflowId = (await db.query('SELECT workflow_id FROM discrepancies WHERE id = $1', [c.id])).rows[0].workflow_id as string;
  const history = await r.client.workflow.getHandle(workflowId).fetchHistory();
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId)).resolves.toBeUndefined();

  // operators see in the UI what each activity was for (a local activity's summary is on its marker)
  const summaries = (history.events ?? [])
    .filter((e) => (e.activityTaskScheduledEventAttributes || e.markerRecordedEventAttributes) && e.userMetadata?.summary)
    .map((e) => defaultPayloadConverter.fromPayload<string>(e.userMetadata!.summary!));
  expect(summaries).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^pin the policy, read every evidence source, score: ${c.site} ${c.sku} @DOCK-1 for asn ASN-`)),
      `WRITE adjustment -10 to WMS and ERP (SHORT_SHIP): ${c.site} ${c.sku} @DOCK-1`,
      'notify inventory_control at ' + c.site,
    ]),
  );
});

it('adapter calls run inside the correlation, so a port implementation can forward the id', async () => {
  const seen: { port: string; method: string; correlationId?: string }[] = [];
  const recording = <T extends object>(port: string, impl: T): T =>
    new Proxy(impl, {
      get(target, method, receiver) {
        const fn: unknown = Reflect.get(target, method, receiver);
        if (typeof fn !== 'function') return fn;
        return (...args: unknown[]) => {
          seen.push({ port, method: String(method), correlationId: currentCorrelationId() });
          return (fn as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const r = await rig(async (config, captured) => {
    const logger = createLogger({ LOG_LEVEL: 'info' }, 'test-worker', captured.stream);
    const ledger = createReferenceLedger(db);
    return Worker.create({
      connection: native,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowBundle: bundle,
      activities: createActivities({
        db,
        wms: recording<WmsPort>('wms', ledger.wms),
        erp: recording<ErpPort>('erp', ledger.erp),
        notifier: ledger.notifier,
        logger,
        evidenceLookbackDays: config.EVIDENCE_LOOKBACK_DAYS,
      }),
      interceptors: reckonWorkerInterceptors(logger, { prebundled: true }),
      dataConverter: actorProofDataConverter(config),
    });
  });
  const reported = `rep-${randomUUID()}`;
  const approved = `apr-${randomUUID()}`;
  const c = await reviewCase(r, reported);
  await approve(r, c, approved);

  const reads = seen.filter((s) => s.method !== 'postAdjustment');
  expect(reads.map((s) => s.port)).toEqual(expect.arrayContaining(['wms', 'erp']));
  expect(reads.every((s) => s.correlationId === reported)).toBe(true);
  expect(seen.filter((s) => s.method === 'postAdjustment')).toEqual([{ port: 'wms', method: 'postAdjustment', correlationId: approved }]);
});
