import request from 'supertest';
import type { Score } from '../../src/domain';
import { withTransaction } from '../../src/store/db';
import { appendAudit } from '../../src/store/audit-repo';
import { insertCase, startApi, uniq, type ApiHarness } from './support';

let api: ApiHarness;
let viewer: string;
let approver: string;
// sites of this file only: other test files write to the same read model
const SITE = uniq('Q').slice(0, 12);
const OTHER = uniq('R').slice(0, 12);
const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const score = (priority: number) => ({ priority, confidence: 0.5, explanation: 'e', scorerVersion: 'v1' }) as unknown as Score;

interface Seeded {
  id: string;
  openedAt: string;
  valueAtRisk: number;
  slaDeadline?: string;
  priority?: number;
}
const seeded: Seeded[] = [];

beforeAll(async () => {
  api = await startApi({ timeouts: { liveQueryMs: 500 } });
  viewer = await api.bearer(['viewer']);
  approver = await api.bearer(['inventory_control'], [SITE]);
  // 12 cases: a few share opened_at (ties), some have no SLA deadline or priority (nulls)
  for (let i = 0; i < 12; i++) {
    const openedAt = at(i < 5 ? 0 : i);
    const observedQty = 20 - (i % 6);
    const s = await insertCase(api.db, {
      report: { site: SITE, sku: `SKU-${i % 3}`, expectedQty: 24, observedQty, unitCost: 10 },
      openedAt,
      status: i % 4 === 0 ? 'closed' : 'awaiting_approval',
      severity: i % 3 === 0 ? 'high' : 'review',
      ownerRole: i % 2 === 0 ? 'site_supervisor' : 'inventory_control',
      breached: i % 5 === 0,
      assignee: i === 7 ? 'alice' : undefined,
      slaDeadline: i % 3 === 1 ? undefined : at(100 - (i % 4)),
      score: i % 4 === 2 ? undefined : score(50 - (i % 3)),
    });
    seeded.push({ id: s.caseId, openedAt, valueAtRisk: Math.abs(observedQty - 24) * 10, slaDeadline: s.slaDeadline, priority: s.score?.priority });
  }
  await insertCase(api.db, { report: { site: OTHER } });
});
afterAll(() => api.close());
afterEach(() => expect(api.serverErrors).toEqual([]));

const list = (qs: string, auth = viewer) => request(api.app).get(`/v1/discrepancies?site=${SITE}&${qs}`).set('Authorization', auth);

async function allPages(qs: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const res: request.Response = await list(`${qs}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.items.map((c: { id: string }) => c.id));
    cursor = res.body.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('paging did not end');
}

/** The expected order: sort value with nulls last, then id, in the sort's direction. */
function expectedOrder(value: (s: Seeded) => number | undefined, dir: 1 | -1): string[] {
  return [...seeded]
    .sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      if (va === undefined && vb === undefined) return dir * (a.id < b.id ? -1 : 1);
      if (va === undefined) return 1;
      if (vb === undefined) return -1;
      return va !== vb ? dir * (va - vb) : dir * (a.id < b.id ? -1 : 1);
    })
    .map((s) => s.id);
}

describe('GET /v1/discrepancies filters', () => {
  it('returns camelCase rows of the read model', async () => {
    const res = await list('limit=1').expect(200);
    expect(res.body.items[0]).toMatchObject({ id: expect.any(String), workflowId: expect.any(String), site: SITE, valueAtRisk: expect.any(Number), openedAt: expect.any(String) });
    expect(res.body.items[0]).not.toHaveProperty('evidence');
  });

  it.each([
    ['status=closed', (i: number) => i % 4 === 0],
    ['status=awaiting_approval,closed', () => true],
    ['severity=high', (i: number) => i % 3 === 0],
    ['ownerRole=site_supervisor', (i: number) => i % 2 === 0],
    ['breached=true', (i: number) => i % 5 === 0],
    ['breached=false', (i: number) => i % 5 !== 0],
    ['assignee=alice', (i: number) => i === 7],
    ['sku=SKU-1', (i: number) => i % 3 === 1],
    ['kind=count_variance&status=awaiting_approval&severity=review', (i: number) => i % 4 !== 0 && i % 3 !== 0],
  ])('%s', async (qs, match) => {
    const res = await list(`${qs}&limit=200`).expect(200);
    const want = seeded.filter((_, i) => match(i)).map((s) => s.id).sort();
    expect(res.body.items.map((c: { id: string }) => c.id).sort()).toEqual(want);
  });

  it('keeps an injection attempt inert', async () => {
    // identifiers have one syntax: an attempt is refused naming the field, before any query
    const attempt = encodeURIComponent("SKU-1' OR '1'='1'; DROP TABLE discrepancies; --");
    await list(`sku=${attempt}`).expect(400, /query\.sku/);
    await list(`assignee=${encodeURIComponent("alice' OR 1=1 --")}`).expect(400, /query\.assignee/);
    // enum filters and the sort refuse anything off their list
    await list(`status=${encodeURIComponent("closed') OR 1=1 --")}`).expect(400);
    await list(`sort=${encodeURIComponent('id; DROP TABLE discrepancies')}`).expect(400);
    const after = await list('limit=200').expect(200);
    expect(after.body.items).toHaveLength(seeded.length);
  });

  it("limits results to the key's sites", async () => {
    const scoped = await request(api.app).get('/v1/discrepancies?limit=200').set('Authorization', approver).expect(200);
    expect(new Set(scoped.body.items.map((c: { site: string }) => c.site))).toEqual(new Set([SITE]));
    const elsewhere = await request(api.app).get(`/v1/discrepancies?site=${OTHER}`).set('Authorization', approver).expect(200);
    expect(elsewhere.body.items).toEqual([]);
    const all = await request(api.app).get(`/v1/discrepancies?site=${OTHER}`).set('Authorization', viewer).expect(200);
    expect(all.body.items).toHaveLength(1);
  });
});

describe('GET /v1/discrepancies sort and cursor', () => {
  it('sorts by -openedAt by default, ties broken by id, and pages through ties without loss', async () => {
    const want = expectedOrder((s) => Date.parse(s.openedAt), -1);
    const first = await list('limit=200').expect(200);
    expect(first.body.items.map((c: { id: string }) => c.id)).toEqual(want);
    expect(await allPages('', 2)).toEqual(want);
    expect(await allPages('', 3)).toEqual(want);
  });

  it.each([
    ['openedAt', (s: Seeded) => Date.parse(s.openedAt), 1],
    ['-valueAtRisk', (s: Seeded) => s.valueAtRisk, -1],
    ['slaDeadline', (s: Seeded) => (s.slaDeadline ? Date.parse(s.slaDeadline) : undefined), 1],
    ['-priority', (s: Seeded) => s.priority, -1],
  ] as const)('sort=%s pages in order with nulls last', async (sort, value, dir) => {
    const want = expectedOrder(value, dir);
    expect(await allPages(`sort=${sort}`, 200)).toEqual(want);
    expect(await allPages(`sort=${sort}`, 1)).toEqual(want);
    expect(await allPages(`sort=${sort}`, 5)).toEqual(want);
  });

  it('refuses a cursor issued for another sort', async () => {
    const res = await list('limit=2&sort=-valueAtRisk').expect(200);
    await list(`limit=2&sort=openedAt&cursor=${res.body.nextCursor}`).expect(422, /query\.cursor/);
  });

  it('refuses a tampered cursor without a 500', async () => {
    const forged = Buffer.from(JSON.stringify(['-openedAt', "2026'; DROP TABLE x; --", 'id'])).toString('base64url');
    await list(`cursor=${forged}`).expect(422, /query\.cursor/);
  });
});

describe('GET /v1/discrepancies/{id}', () => {
  it('returns the row, the recorded state, the reason when the running workflow cannot answer, and the timeline', async () => {
    const id = seeded[1].id;
    await withTransaction(api.db, (c) =>
      appendAudit(c, id, [{ seq: 1, at: at(1), action: 'opened', actorKind: 'system', actorId: 'wms', detail: { note: 'seeded' } }]),
    );
    const res = await request(api.app).get(`/v1/discrepancies/${id}`).set('Authorization', viewer).expect(200);
    expect(res.body).toMatchObject({ id, site: SITE, live: { caseId: id }, liveError: expect.any(String), evidence: null });
    expect(res.body.score).toMatchObject({ priority: expect.any(Number) });
    expect(res.body.timeline).toEqual([expect.objectContaining({ seq: 1, action: 'opened', actorId: 'wms' })]);
  });

  it('answers 404 for an unknown id', async () => {
    const res = await request(api.app).get('/v1/discrepancies/00000000-0000-0000-0000-000000000000').set('Authorization', viewer);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it("answers 404 for another site's case, so its existence does not leak", async () => {
    const other = (await request(api.app).get(`/v1/discrepancies?site=${OTHER}`).set('Authorization', viewer)).body.items[0];
    await request(api.app).get(`/v1/discrepancies/${other.id}`).set('Authorization', approver).expect(404);
  });
});

describe('actions against the read model', () => {
  it('answers 409 for a closed case without asking Temporal', async () => {
    // no workflow exists for these rows: had the API asked Temporal, the answer would be 404
    const closed = seeded[0];
    const res = await request(api.app).post(`/v1/discrepancies/${closed.id}/approve`).set('Authorization', approver).send({ reasonCode: 'CYCLE_COUNT' });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('answers 404 for an unknown case and for an open case whose workflow is gone', async () => {
    await request(api.app).post('/v1/discrepancies/nope/recount').set('Authorization', approver).send({}).expect(404);
    await request(api.app).post(`/v1/discrepancies/${seeded[1].id}/recount`).set('Authorization', approver).send({}).expect(404);
  });

  it("answers 404 for another site's case, exactly as for an unknown one, before asking Temporal", async () => {
    const other = (await request(api.app).get(`/v1/discrepancies?site=${OTHER}`).set('Authorization', viewer)).body.items[0];
    const res = await request(api.app).post(`/v1/discrepancies/${other.id}/assign`).set('Authorization', approver).send({ assignee: 'bob' });
    expect(res.status).toBe(404);
    expect(res.body.detail).toBe(`no case ${other.id}`);
  });
});
