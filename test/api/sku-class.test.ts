import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { plannerWorkflowId } from '../../src/planner/schedule';
import { verifyAuditChains } from '../../src/store/audit-repo';
import { classAuditChain } from '../../src/store/class-overrides';
import { startApi, type Api } from '../support/api';
import { startEngine, type Engine } from '../support/engine';
import { insertCase } from './support';
import { fixtureSku, seedPlannerFixture } from '../planner/fixture';

/**
 * Manual ABC class overrides through HTTP: set, read, repeat, clear, each audited with who, when
 * and why; refused without the role, outside the key's sites, or with bad input (400 naming the
 * fields); and the cycle-count planner honours an override and names it in the plan's reasons.
 */
let engine: Engine;
let api: Api;
const SITE = `CLS${randomUUID().slice(0, 6)}`;
const lead = { userId: 'ic-lead', roles: ['inventory_control'], sites: [SITE] };
const viewer = { userId: 'class-viewer', roles: ['viewer'], sites: [SITE] };
const outsider = { userId: 'elsewhere', roles: ['admin'], sites: ['NOT-HERE'] };
const B1 = () => fixtureSku(SITE, 'B1');
const path = (sku: string) => `/v1/skus/${encodeURIComponent(sku)}/class`;

beforeAll(async () => {
  engine = await startEngine();
  api = await startApi(engine);
  await seedPlannerFixture(engine.db, SITE, (report, status, resolution) =>
    insertCase(engine.db, { report, status, resolution, openedAt: new Date(Date.now() - 5 * 86_400_000).toISOString() }),
  );
});
afterAll(async () => {
  await api?.stop();
  await engine?.stop();
});

const auth = async (p: typeof lead) => `Bearer ${await api.keyFor(p)}`;
const put = async (p: typeof lead, sku: string, body: unknown, site = SITE) =>
  request(api.app).put(`${path(sku)}?site=${site}`).set('Authorization', await auth(p)).send(body as object);
const get = async (p: typeof lead, sku: string, site = SITE) => request(api.app).get(`${path(sku)}?site=${site}`).set('Authorization', await auth(p));
const auditRows = async () =>
  (await engine.db.query('SELECT actor_id, action, at, detail FROM audit_log WHERE case_id = $1 ORDER BY seq', [classAuditChain(SITE)])).rows;

it('PUT sets a class by hand, audited with who, when and why; GET shows it with its history', async () => {
  const before = Date.now();
  const res = await put(lead, B1(), { skuClass: 'A', reason: 'recall-sensitive since the November promotion' });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    site: SITE, sku: B1(), skuClass: 'A', source: 'override', changed: true, computed: null,
    override: { skuClass: 'A', by: 'ic-lead', reason: 'recall-sensitive since the November promotion' },
  });
  expect(Date.parse(res.body.override.at)).toBeGreaterThanOrEqual(before - 1000);

  const rows = await auditRows();
  expect(rows).toEqual([
    { actor_id: 'ic-lead', action: 'sku_class_overridden', at: expect.any(Date), detail: { site: SITE, sku: B1(), from: null, to: 'A', reason: 'recall-sensitive since the November promotion' } },
  ]);
  expect(await verifyAuditChains(engine.db, classAuditChain(SITE))).toMatchObject({ problems: [] });

  const read = await get(viewer, B1());
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({ skuClass: 'A', source: 'override', history: [{ by: 'ic-lead', from: null, to: 'A', reason: 'recall-sensitive since the November promotion' }] });
  expect(read.body.changed).toBeUndefined();
});

it('the same PUT again (a retry, a duplicate delivery) changes and audits nothing', async () => {
  const n = (await auditRows()).length;
  const again = await put(lead, B1(), { skuClass: 'A', reason: 'recall-sensitive since the November promotion' });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ skuClass: 'A', changed: false });
  // with an Idempotency-Key the stored answer replays
  const key = `cls-${randomUUID()}`;
  const first = await request(api.app).put(`${path(B1())}?site=${SITE}`).set('Authorization', await auth(lead)).set('Idempotency-Key', key).send({ skuClass: 'A', reason: 'same' });
  const replay = await request(api.app).put(`${path(B1())}?site=${SITE}`).set('Authorization', await auth(lead)).set('Idempotency-Key', key).send({ skuClass: 'A', reason: 'same' });
  expect([first.status, replay.status, replay.headers['idempotent-replayed']]).toEqual([200, 200, 'true']);
  expect(await auditRows()).toHaveLength(n);
});

it('refuses bad input with 400 problem+json naming each field, other roles with 403 and other sites with 404 (as an unknown site)', async () => {
  const bad = await put(lead, B1(), { skuClass: 'D', reason: '', extra: 1 });
  expect(bad.status).toBe(400);
  expect(bad.headers['content-type']).toMatch(/problem\+json/);
  expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.extra', 'body.reason', 'body.skuClass']);
  const noSite = await request(api.app).put(path(B1())).set('Authorization', await auth(lead)).send({ skuClass: 'A', reason: 'x' });
  expect(noSite.status).toBe(400);
  expect(noSite.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.site']);
  const noReason = await request(api.app).delete(`${path(B1())}?site=${SITE}`).set('Authorization', await auth(lead));
  expect(noReason.status).toBe(400);
  expect(noReason.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.reason']);

  expect((await put(viewer, B1(), { skuClass: 'C', reason: 'not mine to say' })).status).toBe(403);
  expect((await put(outsider, B1(), { skuClass: 'C', reason: 'other site' })).status).toBe(404);
  expect((await get(outsider, B1())).status).toBe(404);
  expect((await get(viewer, B1())).body.skuClass).toBe('A');
});

it('the planner honours the override and says so in the plan’s reasons; DELETE clears it, audited', async () => {
  // B1 sits in BIN-B, counted 60 days ago: as a C sku (365 days) it is not due, as an A (30 days) it is overdue
  const planId = `${plannerWorkflowId(SITE)}-class-1`;
  await engine.client.workflow.execute('cycleCountPlanner', { workflowId: planId, taskQueue: engine.config.TEMPORAL_TASK_QUEUE, args: [{ site: SITE, topN: 5 }] });
  const plan = await request(api.app).get(`/v1/count-plans/${encodeURIComponent(planId)}`).set('Authorization', await auth(viewer));
  expect(plan.status).toBe(200);
  const binB = plan.body.items.find((i: { location: string }) => i.location === 'BIN-B');
  expect(binB).toMatchObject({ purpose: 'frequency', factors: { skuClass: 'A' } });
  expect(binB.reasons[0]).toBe(`class A (class by hand: ${B1()} set to A by ic-lead (recall-sensitive since the November promotion)): counted at least every 30 days; last counted 60 days ago, overdue by 30 days`);
  const others = plan.body.items.filter((i: { location: string }) => i.location !== 'BIN-B');
  expect(others.every((i: { reasons: string[] }) => i.reasons.every((r) => !r.includes('class by hand')))).toBe(true);

  const cleared = await request(api.app).delete(`${path(B1())}?site=${SITE}&reason=${encodeURIComponent('promotion over')}`).set('Authorization', await auth(lead));
  expect(cleared.status).toBe(200);
  expect(cleared.body).toMatchObject({ skuClass: null, source: null, override: null, changed: true });
  expect(cleared.body.history.map((h: { to: string | null; reason: string }) => [h.to, h.reason])).toEqual([['A', 'recall-sensitive since the November promotion'], [null, 'promotion over']]);
  expect((await auditRows()).map((r) => [r.action, r.actor_id])).toEqual([['sku_class_overridden', 'ic-lead'], ['sku_class_override_cleared', 'ic-lead']]);

  // the count tasks of the first plan are open now: close them so BIN-B may be planned again
  await engine.db.query(`UPDATE count_tasks SET status = 'done' WHERE site = $1 AND owner_id = $2`, [SITE, planId]);
  const planId2 = `${plannerWorkflowId(SITE)}-class-2`;
  await engine.client.workflow.execute('cycleCountPlanner', { workflowId: planId2, taskQueue: engine.config.TEMPORAL_TASK_QUEUE, args: [{ site: SITE, topN: 5 }] });
  const plan2 = await request(api.app).get(`/v1/count-plans/${encodeURIComponent(planId2)}`).set('Authorization', await auth(viewer));
  const binB2 = plan2.body.items.find((i: { location: string }) => i.location === 'BIN-B');
  expect(binB2).toMatchObject({ purpose: 'risk', factors: { skuClass: 'C' } });
  expect(binB2.reasons.join(' ')).not.toContain('class by hand');
});
