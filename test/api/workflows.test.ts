import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createReferenceLedger } from '../../fake-wms/ledger';
import { createWriteActivities } from '../../src/activities/writes';
import { createLogger } from '../../src/logger';
import { DiscrepancyReport, workflowIdForKey } from '../../src/domain';
import { DISCREPANCY_WORKFLOW_TYPE } from '../../src/workflows/messages';
import { kindKey, siteKey, skuKey, statusKey } from '../../src/workflows/search-attributes';
import { insertCase, reportBody, startApi, uniq, type ApiHarness } from './support';

/**
 * Against the real dev server with no worker on this file's task queue: workflows start and
 * their first task simply waits, which is all these tests need.
 */
let api: ApiHarness;
let integration: string;
let approver: string;
const started = new Set<string>();

beforeAll(async () => {
  api = await startApi({ timeouts: { updateMs: 1500, liveQueryMs: 800 } });
  integration = await api.bearer(['integration'], ['DC1']);
  approver = await api.bearer(['inventory_control'], ['DC1']);
});
afterAll(async () => {
  for (const id of started) await api.temporal.workflow.getHandle(id).terminate('api test done').catch(() => undefined);
  await api.close();
});
afterEach(() => expect(api.serverErrors).toEqual([]));

const postReport = (body: object) => request(api.app).post('/v1/discrepancies').set('Authorization', integration).send(body);

describe('POST /v1/discrepancies', () => {
  it('starts a case workflow with a summary, and answers 202 with the case id', async () => {
    const body = reportBody({ sku: uniq('SKU'), expectedQty: 24, observedQty: 20 });
    const res = await postReport(body);
    expect(res.status).toBe(202);
    const { id, workflowId } = res.body;
    started.add(workflowId);
    expect(workflowId).toBe(workflowIdForKey(DiscrepancyReport.parse(body)));
    expect(res.body).toMatchObject({ status: 'accepted', links: { self: `/v1/discrepancies/${id}` } });
    expect(res.headers.location).toBe(`/v1/discrepancies/${id}`);

    const desc = await api.temporal.workflow.getHandle(workflowId).describe();
    expect(desc.status.name).toBe('RUNNING');
    expect(desc.type).toBe(DISCREPANCY_WORKFLOW_TYPE);
    expect(desc.taskQueue).toBe(api.config.TEMPORAL_TASK_QUEUE);
    // the case id is the workflow's first run id
    expect(desc.runId).toBe(id);
    // Reckon's search attributes come with the case's first resting place (test/e2e/site-policy):
    // before a worker has run it, the UI finds it by its workflow id and its summary
    for (const key of [kindKey, siteKey, skuKey, statusKey]) expect(desc.typedSearchAttributes.get(key)).toBeUndefined();
    expect(await desc.staticSummary()).toBe(`count_variance DC1 ${body.sku} @A-01-03: expected 24, observed 20`);
  });

  it('merges 5 concurrent identical reports into one workflow run', async () => {
    const body = reportBody({ sku: uniq('SKU') });
    const answers = await Promise.all(Array.from({ length: 5 }, () => postReport(body)));
    for (const a of answers) expect(a.status).toBe(202);
    const workflowIds = new Set(answers.map((a) => a.body.workflowId));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(workflowIds.size).toBe(1);
    expect(ids.size).toBe(1);
    const [workflowId] = workflowIds;
    started.add(workflowId);

    const handle = api.temporal.workflow.getHandle(workflowId);
    const desc = await handle.describe();
    expect(desc.runId).toBe([...ids][0]);
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    expect(events.filter((e) => e.workflowExecutionStartedEventAttributes)).toHaveLength(1);
    expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'report')).toHaveLength(5);
    const runs = [];
    for await (const w of api.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w.runId);
    expect(runs.length).toBeLessThanOrEqual(1); // visibility may lag, but never shows a second run
  });

  it('the 202 links to the case before any worker has run it: GET answers 200 with the case as reported', async () => {
    const body = reportBody({ sku: uniq('SKU'), sourceEventIds: ['WMS-7', 'WMS-8'], causedBy: ['u-12'] });
    const res = await postReport(body).expect(202);
    started.add(res.body.workflowId);
    const page = await request(api.app).get(res.body.links.self).set('Authorization', approver);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      id: res.body.id, workflowId: res.body.workflowId, status: 'opened', kind: 'count_variance', site: 'DC1', sku: body.sku,
      expectedQty: 24, observedQty: 20, variance: -4, occurrences: 1, sourceEventIds: ['WMS-7', 'WMS-8'],
      live: { caseId: res.body.id, status: 'opened', involvedUsers: ['u-12'] },
    });
    const queue = await request(api.app).get(`/v1/discrepancies?sku=${body.sku}`).set('Authorization', approver).expect(200);
    expect(queue.body.items.map((c: { id: string }) => c.id)).toEqual([res.body.id]);
    // the same report again merges into the running case: the same id, still one row
    const again = await postReport(body).expect(202);
    expect(again.body.id).toBe(res.body.id);
    const rows = await api.db.query('SELECT id FROM discrepancies WHERE workflow_id = $1', [res.body.workflowId]);
    expect(rows.rows).toEqual([{ id: res.body.id }]);
  });

  it('the worker’s first transition replaces the accepted row (no status or field goes back)', async () => {
    const body = reportBody({ sku: uniq('SKU') });
    const res = await postReport(body).expect(202);
    started.add(res.body.workflowId);
    // as the workflow projects it once a worker runs it: its own open time, later statuses
    const openedAt = new Date(Date.now() + 1500).toISOString();
    await insertCase(api.db, { caseId: res.body.id, workflowId: res.body.workflowId, report: body, status: 'awaiting_approval', openedAt });
    await postReport(body).expect(202); // a merge does not write the row back
    const page = await request(api.app).get(res.body.links.self).set('Authorization', approver).expect(200);
    expect(page.body).toMatchObject({ status: 'awaiting_approval', severity: 'review', ownerRole: 'inventory_control' });
    const row = (await api.db.query('SELECT opened_at, row_version FROM discrepancies WHERE id = $1', [res.body.id])).rows[0];
    expect(row.opened_at.toISOString()).toBe(openedAt);
    expect(Number(row.row_version)).toBe(1);
  });

  it("refuses a report for a site outside the key's scope with 403", async () => {
    const res = await postReport(reportBody({ site: 'DC9' }));
    expect(res.status).toBe(403);
  });
});

describe('a case whose workflow is running (no worker)', () => {
  let caseId: string;
  let workflowId: string;

  beforeAll(async () => {
    const body = reportBody({ sku: uniq('SKU') });
    const res = await postReport(body).expect(202);
    ({ id: caseId, workflowId } = res.body);
    started.add(workflowId);
    // project it as the workflow would once a worker ran it
    await insertCase(api.db, { caseId, workflowId, report: body, status: 'awaiting_recount' });
  });

  it('GET answers 200 from the read model (the recorded state) when the progress query times out, saying so', async () => {
    const res = await request(api.app).get(`/v1/discrepancies/${caseId}`).set('Authorization', approver).expect(200);
    expect(res.body).toMatchObject({ id: caseId, workflowId, live: { caseId, status: 'awaiting_recount' }, liveError: expect.stringMatching(/in time/) });
    expect(res.body.progress).toBeUndefined();
  });

  it('an action answers 503 problem+json when the workflow does not answer in time', async () => {
    const res = await request(api.app).post(`/v1/discrepancies/${caseId}/comments`).set('Authorization', approver).send({ text: 'hello' });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  describe('POST /v1/counts', () => {
    // the write activity asks the (fake) WMS for the task and records it as Reckon's
    const writes = () => createWriteActivities({ ...createReferenceLedger(api.db), db: api.db, logger: createLogger({ LOG_LEVEL: 'silent' }, 'test'), evidenceLookbackDays: 30 });
    const newTask = async (site = 'DC1') =>
      (await writes().createCountTask({ site, sku: 'SKU-C', location: 'A-01-03', caseId, reason: 'recount', idempotencyKey: randomUUID() })).taskId;
    const postCount = (body: object, auth = integration) => request(api.app).post('/v1/counts').set('Authorization', auth).send(body);

    it('records the result and signals the case; a repeat is a replay; a different result is 409', async () => {
      const taskId = await newTask();
      const first = await postCount({ taskId, countedQty: 21, countedBy: 'counter-7', countedAt: '2026-03-01T10:00:00Z' });
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ taskId, caseId, status: 'accepted', replayed: false, signaled: true });
      const again = await postCount({ taskId, countedQty: 21, countedBy: 'counter-7' });
      expect(again.status).toBe(202);
      expect(again.body.replayed).toBe(true);
      const conflicting = await postCount({ taskId, countedQty: 19, countedBy: 'counter-8' });
      expect(conflicting.status).toBe(409);

      const history = await api.temporal.workflow.getHandle(workflowId).fetchHistory();
      const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'countResult');
      expect(signals.length).toBe(2);
    });

    it('answers 404 for an unknown task and, alike, for a task at a site outside the key', async () => {
      await postCount({ taskId: 'CT-unknown', countedQty: 1, countedBy: 'u' }).expect(404);
      const elsewhere = await newTask('DC9');
      const res = await postCount({ taskId: elsewhere, countedQty: 1, countedBy: 'u' }).expect(404);
      expect(res.body.detail).toBe(`no count task ${elsewhere}`);
    });
  });
});

describe('a case whose workflow has completed but whose row still says open', () => {
  it('answers 409 to an action (Temporal: already completed)', async () => {
    const body = reportBody({ sku: uniq('SKU') });
    const res = await postReport(body).expect(202);
    const { id: caseId, workflowId } = res.body;
    await insertCase(api.db, { caseId, workflowId, report: body, status: 'awaiting_approval' });
    await api.temporal.workflow.getHandle(workflowId).terminate('test');
    const act = await request(api.app).post(`/v1/discrepancies/${caseId}/approve`).set('Authorization', approver).send({ reasonCode: 'CYCLE_COUNT' });
    expect(act.status).toBe(409);
    expect(act.body.detail).toMatch(/closed/);
  });
});
