import { randomUUID } from 'node:crypto';
import type { Config } from '../../src/config';
import { ensurePlannerSchedules, plannerScheduleId, plannerWorkflowId } from '../../src/planner/schedule';
import type { CycleCountPlannerResult } from '../../src/workflows/cycle-count-planner';
import { insertCase } from '../api/support';
import { startApi, type Api } from '../support/api';
import { eventually, startEngine, type Engine } from '../support/engine';
import { fixtureSku, seedPlannerFixture } from './fixture';

/**
 * The cycle-count planner against the real dev server and Postgres: a known fixture ranked,
 * count tasks created once across a retried run, the plan visible through the API, and the
 * nightly schedule ensured idempotently and triggered.
 */
let engine: Engine;
let api: Api;
const SITE = `PLN${randomUUID().slice(0, 6)}`;
const viewer = { userId: 'planner-viewer', roles: ['viewer'], sites: [SITE] };
const outsider = { userId: 'elsewhere', roles: ['viewer'], sites: ['NOT-HERE'] };

beforeAll(async () => {
  engine = await startEngine();
  api = await startApi(engine);
  await seedPlannerFixture(engine.db, SITE, (report, status, resolution) =>
    insertCase(engine.db, { report, status, resolution, openedAt: new Date(Date.now() - 5 * 86_400_000).toISOString() }),
  );
});
afterAll(async () => {
  await engine?.client.schedule.getHandle(plannerScheduleId(SITE)).delete().catch(() => undefined);
  await api?.stop();
  await engine?.stop();
});

const tasksAt = async (site: string) =>
  (await engine.db.query('SELECT location, sku, case_id, idempotency_key FROM ledger.count_tasks WHERE site = $1 ORDER BY location, sku', [site])).rows;

async function runPlanner(workflowId: string, topN: number): Promise<CycleCountPlannerResult> {
  return engine.client.workflow.execute('cycleCountPlanner', {
    workflowId,
    taskQueue: engine.config.TEMPORAL_TASK_QUEUE,
    args: [{ site: SITE, topN }],
  });
}

describe('cycleCountPlanner', () => {
  const planId = `${plannerWorkflowId(SITE)}-test-1`;

  it('ranks the fixture’s bins by risk, records the plan and creates a count task per SKU of the top N', async () => {
    const result = await runPlanner(planId, 3);
    expect(result).toMatchObject({ planId, site: SITE, considered: 5, planned: 3, tasksCreated: 4, tasksReplayed: 0, refused: [] });

    // BIN-A: two true errors, moving, never counted; BIN-E: one error, two SKUs, never counted;
    // BIN-B: much stock but counted 60 days ago; BIN-C counted last week (its only case was a false
    // positive); BIN-D has an open count task already
    const res = await (await api.as(viewer)).get(`/v1/count-plans/${encodeURIComponent(planId)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: planId, site: SITE, topN: 3, considered: 5, status: 'tasks_created', modelVersion: 'cycle-plan-v1' });
    expect(res.body.items.map((i: { location: string }) => i.location)).toEqual(['BIN-A', 'BIN-E', 'BIN-B']);
    expect(res.body.items[0]).toMatchObject({ rank: 1, skus: [fixtureSku(SITE, 'A1')], factors: { errorCases: 2, velocityPerDay: 1, stockValue: 1000, daysSinceCount: null } });
    expect(res.body.items[0].reasons).toContain('never counted');
    expect(res.body.items[1].skus).toEqual([fixtureSku(SITE, 'E1'), fixtureSku(SITE, 'E2')]);

    const tasks = await tasksAt(SITE);
    const planned = tasks.filter((t) => t.case_id === planId);
    expect(planned.map((t) => `${t.location}/${t.sku}`)).toEqual(['BIN-A/A1', 'BIN-B/B1', 'BIN-E/E1', 'BIN-E/E2'].map((x) => x.replace('/', `/${SITE}-`)));
    expect(new Set(planned.map((t) => t.idempotency_key)).size).toBe(4);
    // each item lists its tasks
    const taskIds = res.body.items.flatMap((i: { taskIds: string[] }) => i.taskIds);
    expect(taskIds).toHaveLength(4);
  });

  it('creates the tasks once when the run is retried: the recorded plan stands and every key replays', async () => {
    const before = await tasksAt(SITE);
    // a second run of the same workflow id, as a workflow retry would start it
    const again = await runPlanner(planId, 3);
    expect(again).toMatchObject({ planId, planned: 3, tasksCreated: 0, tasksReplayed: 4 });
    expect(await tasksAt(SITE)).toEqual(before);
    const { rows } = await engine.db.query('SELECT count(*)::int AS n FROM count_plans WHERE id = $1', [planId]);
    expect(rows[0].n).toBe(1);
  });

  it('takes the counts back: a count that differs from the system opens a count_variance case, a matching one opens nothing', async () => {
    const wms = await api.as({ userId: 'wms-feed', roles: ['integration'], sites: [SITE] });
    const tasks = (await engine.db.query('SELECT id, location FROM ledger.count_tasks WHERE case_id = $1 ORDER BY location, sku', [planId])).rows;
    const taskAt = (location: string) => tasks.find((t) => t.location === location)!.id as string;

    const short = await wms.post('/v1/counts', { taskId: taskAt('BIN-A'), countedQty: 97, countedBy: 'counter-9' });
    expect(short.status).toBe(202);
    expect(short.body).toMatchObject({ taskId: taskAt('BIN-A'), planId, status: 'accepted', replayed: false, signaled: false });
    expect(short.body.caseId).toEqual(expect.any(String));
    const opened = await eventually(async () => (await engine.db.query('SELECT * FROM discrepancies WHERE id = $1', [short.body.caseId])).rows[0]);
    expect(opened).toMatchObject({ kind: 'count_variance', site: SITE, location: 'BIN-A', sku: fixtureSku(SITE, 'A1') });
    expect([Number(opened.expected_qty), Number(opened.observed_qty)]).toEqual([100, 97]);

    const again = await wms.post('/v1/counts', { taskId: taskAt('BIN-A'), countedQty: 97, countedBy: 'counter-9' });
    expect(again.body).toMatchObject({ replayed: true, caseId: short.body.caseId });

    const match = await wms.post('/v1/counts', { taskId: taskAt('BIN-B'), countedQty: 5000, countedBy: 'counter-9' });
    expect(match.status).toBe(202);
    expect(match.body).toMatchObject({ planId, caseId: null });
  });

  it('lists plans newest first within the key’s sites; other sites get 404', async () => {
    const list = await (await api.as(viewer)).get(`/v1/count-plans?site=${SITE}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain(planId);
    const hidden = await (await api.as(outsider)).get(`/v1/count-plans/${encodeURIComponent(planId)}`);
    expect(hidden.status).toBe(404);
    expect(hidden.headers['content-type']).toContain('application/problem+json');
    expect((await (await api.as(outsider)).get('/v1/count-plans')).body.items).toEqual([]);
    const bad = await (await api.as(viewer)).get('/v1/count-plans?limit=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('query.limit');
  });
});

describe('planner schedule', () => {
  const config = (over: Partial<Config> = {}) => ({
    CYCLE_COUNT_SITES: [SITE],
    CYCLE_COUNT_CRON: '0 2 * * *',
    CYCLE_COUNT_TIMEZONE: 'Europe/Amsterdam',
    CYCLE_COUNT_TOP_N: 5,
    TEMPORAL_TASK_QUEUE: engine.config.TEMPORAL_TASK_QUEUE,
    ...over,
  });

  it('is created once, left alone when current, and updated when the configuration changes', async () => {
    expect(await ensurePlannerSchedules(engine.client, config())).toEqual({ [SITE]: 'created' });
    expect(await ensurePlannerSchedules(engine.client, config())).toEqual({ [SITE]: 'unchanged' });
    const desc = await engine.client.schedule.getHandle(plannerScheduleId(SITE)).describe();
    expect(desc.action).toMatchObject({ type: 'startWorkflow', workflowType: 'cycleCountPlanner', workflowId: plannerWorkflowId(SITE), args: [{ site: SITE, topN: 5 }] });
    expect(desc.spec.timezone).toBe('Europe/Amsterdam');

    expect(await ensurePlannerSchedules(engine.client, config({ CYCLE_COUNT_TOP_N: 10 }))).toEqual({ [SITE]: 'updated' });
    const updated = await engine.client.schedule.getHandle(plannerScheduleId(SITE)).describe();
    expect(updated.action).toMatchObject({ args: [{ site: SITE, topN: 10 }] });
  });

  it('starts a planner run when triggered; bins with open count tasks or counted today are left for another night', async () => {
    // a bin never counted, with stock of no known cost: ≈ 0.92, above BIN-C (counted last week)
    // Reckon learns of it from an event, as it learns of every bin
    const wms = await api.as({ userId: 'wms-feed', roles: ['integration'], sites: [SITE] });
    const receipt = { eventId: `${SITE}-RCV-F`, source: 'wms', type: 'receipt', occurredAt: new Date().toISOString(), site: SITE, location: 'BIN-F', sku: fixtureSku(SITE, 'F1'), qty: 1 };
    expect((await wms.post('/v1/events', receipt)).status).toBeLessThan(300);
    await engine.client.schedule.getHandle(plannerScheduleId(SITE)).trigger();
    const plan = await eventually(async () => {
      const { rows } = await engine.db.query(
        `SELECT id FROM count_plans WHERE site = $1 AND id LIKE $2 AND status = 'tasks_created'`,
        [SITE, `${plannerWorkflowId(SITE)}-20%`],
      );
      return rows[0]?.id as string | undefined;
    }, 60_000);
    const res = await (await api.as(viewer)).get(`/v1/count-plans/${encodeURIComponent(plan)}`);
    expect(res.body.items.map((i: { location: string }) => i.location)).toEqual(['BIN-F', 'BIN-C']);
  });
});
