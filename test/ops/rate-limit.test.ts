import request from 'supertest';
import { startApi, type ApiHarness } from '../api/support';

/** Per-key rate limits in Redis: headers on every /v1 answer, 429 over the limit, nothing when Redis is down. */
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

it('counts requests per API key per minute and answers 429 with Retry-After over the limit', async () => {
  const api = await harness({ config: { RATE_LIMIT_PER_MINUTE: 3 } });
  const viewer = await api.bearer(['viewer']);
  const remaining: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await request(api.app).get('/v1/discrepancies').set('Authorization', viewer);
    expect(res.status).toBe(200);
    expect(res.headers['ratelimit-limit']).toBe('3');
    const reset = Number(res.headers['ratelimit-reset']);
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
    remaining.push(res.headers['ratelimit-remaining']);
  }
  expect(remaining).toEqual(['2', '1', '0']);

  const limited = await request(api.app).get('/v1/discrepancies').set('Authorization', viewer);
  expect(limited.status).toBe(429);
  expect(limited.headers['content-type']).toMatch(/problem\+json/);
  expect(limited.body).toMatchObject({ status: 429, type: 'urn:reckon:problem:rate-limited' });
  const retryAfter = Number(limited.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(limited.headers['ratelimit-remaining']).toBe('0');

  // mutations count too, and are refused before their body is read
  const post = await request(api.app).post('/v1/discrepancies').set('Authorization', viewer).send({});
  expect(post.status).toBe(429);

  // another key has its own budget; liveness and readiness are not limited
  const other = await api.bearer(['viewer']);
  expect((await request(api.app).get('/v1/discrepancies').set('Authorization', other)).status).toBe(200);
  expect((await request(api.app).get('/healthz')).status).toBe(200);
});

it('replicas share the budget: two apps on one Redis count the same key together', async () => {
  const a = await harness({ config: { RATE_LIMIT_PER_MINUTE: 2 } });
  const b = await harness({ config: { RATE_LIMIT_PER_MINUTE: 2 } });
  const viewer = await a.bearer(['viewer']);
  expect((await request(a.app).get('/v1/discrepancies').set('Authorization', viewer)).status).toBe(200);
  expect((await request(b.app).get('/v1/discrepancies').set('Authorization', viewer)).status).toBe(200);
  expect((await request(a.app).get('/v1/discrepancies').set('Authorization', viewer)).status).toBe(429);
});

it('with Redis down the limit still holds, counted in the process, and nothing fails', async () => {
  const api = await harness({ config: { RATE_LIMIT_PER_MINUTE: 1, REDIS_URL: 'redis://127.0.0.1:1/0' } });
  const viewer = await api.bearer(['viewer']);
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    const res = await request(api.app).get('/v1/discrepancies').set('Authorization', viewer);
    statuses.push(res.status);
    expect(res.headers['ratelimit-limit']).toBe('1');
  }
  expect(statuses).toEqual([200, 429, 429]);
});
