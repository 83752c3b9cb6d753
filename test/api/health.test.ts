import { Connection } from '@temporalio/client';
import request from 'supertest';
import { reportBody, startApi, type ApiHarness } from './support';

/** Readiness per dependency, and 503 (never 500) when one is down. */
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

const fast = { readinessMs: 1000, signalMs: 1500 };

it('GET /healthz is 200 while the process runs', async () => {
  const api = await harness();
  await request(api.app).get('/healthz').expect(200, { status: 'ok' });
});

it('GET /readyz is 200 ok with every dependency up', async () => {
  const api = await harness({ timeouts: fast });
  const res = await request(api.app).get('/readyz').expect(200);
  expect(res.body.status).toBe('ok');
  for (const name of ['postgres', 'temporal', 'redis']) {
    expect(res.body.checks[name]).toMatchObject({ ok: true, latencyMs: expect.any(Number) });
  }
});

it('GET /readyz is 200 degraded when Redis is unreachable, and the API keeps working', async () => {
  const api = await harness({ config: { REDIS_URL: 'redis://127.0.0.1:1/0' }, timeouts: fast });
  const res = await request(api.app).get('/readyz').expect(200);
  expect(res.body.status).toBe('degraded');
  expect(res.body.checks.redis).toMatchObject({ ok: false, error: expect.any(String) });
  expect(res.body.checks.postgres.ok).toBe(true);
  expect(res.body.checks.temporal.ok).toBe(true);
  const viewer = await api.bearer(['viewer']);
  await request(api.app).get('/v1/discrepancies').set('Authorization', viewer).expect(200);
});

describe('Temporal unreachable', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await harness({ connection: Connection.lazy({ address: '127.0.0.1:1' }), timeouts: fast });
  });

  it('GET /readyz is 503', async () => {
    const res = await request(api.app).get('/readyz').expect(503);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.checks.temporal.ok).toBe(false);
  });

  it('POST /v1/discrepancies is 503 problem+json', async () => {
    const integration = await api.bearer(['integration']);
    const res = await request(api.app).post('/v1/discrepancies').set('Authorization', integration).send(reportBody());
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.headers['retry-after']).toBeDefined();
  });
});

describe('Postgres unreachable', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await harness({ config: { DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none' }, timeouts: fast });
  });

  it('GET /readyz is 503', async () => {
    const res = await request(api.app).get('/readyz').expect(503);
    expect(res.body.checks.postgres.ok).toBe(false);
  });

  it('a /v1 request is 503 problem+json, not 500', async () => {
    const res = await request(api.app).get('/v1/discrepancies').set('Authorization', 'Bearer rk_anything');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});

it('GET /openapi.json is generated from the zod schemas', async () => {
  const api = await harness();
  const res = await request(api.app).get('/openapi.json').expect(200);
  expect(res.body.openapi).toBe('3.1.0');
  const schemas = res.body.components.schemas;
  expect(schemas.DiscrepancyReport.properties.kind.enum).toContain('count_variance');
  expect(schemas.DiscrepancyReport.required).toEqual(expect.arrayContaining(['kind', 'site', 'sku', 'expectedQty']));
  expect(schemas.PolicyDocument.properties.ladders).toBeDefined();
  expect(schemas.ApproveBody.required).toEqual(['reasonCode']);
  expect(Object.keys(res.body.paths)).toEqual(
    expect.arrayContaining(['/v1/discrepancies', '/v1/discrepancies/{id}', '/v1/discrepancies/{id}/approve', '/v1/counts', '/v1/policies']),
  );
  const listParams = res.body.paths['/v1/discrepancies'].get.parameters.map((p: { name: string }) => p.name);
  expect(listParams).toEqual(expect.arrayContaining(['status', 'sort', 'limit', 'cursor', 'breached']));
});
