import request from 'supertest';
import { insertCase, reportBody, startApi, uniq, type ApiHarness } from '../api/support';

/**
 * Idempotency-Key on mutating routes, against the real API, Temporal and Redis. The harness runs
 * no worker, so a report starts a workflow that stays put and an approval waits on it: what the
 * handler did is visible in the workflow's history.
 */
const harnesses: ApiHarness[] = [];
async function harness(...args: Parameters<typeof startApi>): Promise<ApiHarness> {
  const h = await startApi(...args);
  harnesses.push(h);
  return h;
}
afterEach(() => {
  for (const h of harnesses) expect(h.serverErrors).toEqual([]);
});
afterAll(async () => {
  for (const h of harnesses) await h.close();
});

async function historyLength(api: ApiHarness, workflowId: string): Promise<number> {
  return Number((await api.temporal.workflow.getHandle(workflowId).describe()).historyLength);
}

describe('with Redis', () => {
  let api: ApiHarness;
  let integration: string;
  beforeAll(async () => {
    api = await harness({ timeouts: { updateMs: 3000 } });
    integration = await api.bearer(['integration']);
  });

  it('a retry with the same key and body gets the stored answer, and the case is not reported twice', async () => {
    const key = uniq('report');
    const body = reportBody({ site: uniq('IDEM') });
    const first = await request(api.app).post('/v1/discrepancies').set('Authorization', integration).set('Idempotency-Key', key).send(body);
    expect(first.status).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const before = await historyLength(api, first.body.workflowId);

    // the same JSON with its keys in another order is the same request
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const retry = await request(api.app).post('/v1/discrepancies').set('Authorization', integration).set('Idempotency-Key', key).send(reordered);
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(await historyLength(api, first.body.workflowId)).toBe(before);
  });

  it('the same key with a different body is 422 and nothing runs', async () => {
    const key = uniq('report');
    const site = uniq('IDEM');
    const first = await request(api.app).post('/v1/discrepancies').set('Authorization', integration).set('Idempotency-Key', key).send(reportBody({ site }));
    expect(first.status).toBe(202);
    const other = reportBody({ site });
    const res = await request(api.app).post('/v1/discrepancies').set('Authorization', integration).set('Idempotency-Key', key).send(other);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.detail).toMatch(/different request/);
    const page = await request(api.app).get(`/v1/discrepancies?sku=${other.sku}`).set('Authorization', integration);
    expect(page.body.items).toEqual([]);
  });

  it('keys belong to one API key: another key with the same Idempotency-Key acts on its own', async () => {
    const key = uniq('report');
    const body = reportBody({ site: uniq('IDEM') });
    const first = await request(api.app).post('/v1/discrepancies').set('Authorization', integration).set('Idempotency-Key', key).send(body);
    const before = await historyLength(api, first.body.workflowId);
    const otherKey = await api.bearer(['integration']);
    const res = await request(api.app).post('/v1/discrepancies').set('Authorization', otherKey).set('Idempotency-Key', key).send(body);
    expect(res.status).toBe(202);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    // it merged into the same case: the workflow got a second report
    expect(await historyLength(api, first.body.workflowId)).toBeGreaterThan(before);
  });

  it('while the first request runs, the same key is 409; a 5xx answer is not stored, so a retry runs again', async () => {
    const report = reportBody({ site: uniq('IDEM') });
    const started = await request(api.app).post('/v1/discrepancies').set('Authorization', integration).send(report);
    expect(started.status).toBe(202);
    // the read model row the worker would have written; with no worker the approval waits until updateMs
    await insertCase(api.db, { caseId: started.body.id, workflowId: started.body.workflowId, report: { ...report }, status: 'awaiting_approval' });
    const approver = await api.bearer(['inventory_control']);
    const approve = () =>
      request(api.app)
        .post(`/v1/discrepancies/${started.body.id}/approve`)
        .set('Authorization', approver)
        .set('Idempotency-Key', 'approve-once')
        .send({ reasonCode: 'COUNT_CONFIRMED' });

    const [a, b] = await Promise.all([approve(), approve()]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([409, 503]);
    const conflict = a.status === 409 ? a : b;
    expect(conflict.headers['content-type']).toMatch(/problem\+json/);
    expect(conflict.headers['retry-after']).toBe('1');
    expect(conflict.body.detail).toMatch(/still in progress/);

    const again = await approve();
    expect(again.status).toBe(503);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('a request slower than the lease keeps its key, and a key whose holder died is free again after the lease', async () => {
    // the approval waits updateMs (no worker) while the lease is a fraction of it: only renewal keeps the claim
    const slow = await harness({ timeouts: { updateMs: 3000, idempotencyLeaseMs: 600 } });
    const report = reportBody({ site: uniq('IDEM') });
    const started = await request(slow.app).post('/v1/discrepancies').set('Authorization', await slow.bearer(['integration'])).send(report);
    expect(started.status).toBe(202);
    await insertCase(slow.db, { caseId: started.body.id, workflowId: started.body.workflowId, report: { ...report }, status: 'awaiting_approval' });
    const approver = await slow.bearer(['inventory_control']);
    const approve = (key: string) =>
      request(slow.app).post(`/v1/discrepancies/${started.body.id}/approve`).set('Authorization', approver).set('Idempotency-Key', key).send({ reasonCode: 'COUNT_CONFIRMED' });

    const first = approve('approve-slow');
    const pending = first.then((r) => r);
    await new Promise((r) => setTimeout(r, 1500)); // more than two leases into the first request
    const during = await approve('approve-slow');
    expect(during.status).toBe(409);
    expect(during.headers['retry-after']).toBe('1');
    // the claim as the first request holds it, to leave behind below
    const [redisKey] = await slow.redis.keys('reckon:idempotency:*:approve-slow');
    const claim = await slow.redis.get(redisKey);
    expect(claim).toContain('in_flight');
    expect((await pending).status).toBe(503); // a 5xx is not stored: the key is free again

    // what a replica that died mid-request leaves behind: its claim, no longer renewed
    await slow.redis.set(redisKey, claim!.replace(/"holder":"[^"]+"/, '"holder":"a-replica-that-died"'), 'PX', 600);
    expect((await approve('approve-slow')).status).toBe(409);
    await new Promise((r) => setTimeout(r, 800));
    expect((await approve('approve-slow')).status).toBe(503); // the lease lapsed: this request ran
  });

  it('a malformed key is 400 naming the header; reads ignore the header', async () => {
    const res = await request(api.app)
      .post('/v1/discrepancies')
      .set('Authorization', integration)
      .set('Idempotency-Key', 'has spaces in it')
      .send(reportBody());
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'header.idempotency-key' })]);
    const read = await request(api.app).get('/v1/discrepancies').set('Authorization', integration).set('Idempotency-Key', 'has spaces in it');
    expect(read.status).toBe(200);
  });
});

it('with Redis down, requests with a key still run (no replay), and /readyz says degraded', async () => {
  const api = await harness({ config: { REDIS_URL: 'redis://127.0.0.1:1/0' }, timeouts: { readinessMs: 1000 } });
  const integration = await api.bearer(['integration']);
  const body = reportBody({ site: uniq('IDEM') });
  const send = () => request(api.app).post('/v1/discrepancies').set('Authorization', integration).set('Idempotency-Key', 'no-redis').send(body);
  const first = await send();
  const second = await send();
  expect([first.status, second.status]).toEqual([202, 202]);
  expect(second.headers['idempotent-replayed']).toBeUndefined();
  expect(second.body.id).toBe(first.body.id);
  const ready = await request(api.app).get('/readyz');
  expect(ready.status).toBe(200);
  expect(ready.body.status).toBe('degraded');
});

