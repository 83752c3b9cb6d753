import request from 'supertest';
import { createApiKey, revokeApiKey, UnknownRoleError } from '../../src/store/api-key-repo';
import { startApi, type ApiHarness } from './support';

let api: ApiHarness;
const keys: Record<string, string> = {};

beforeAll(async () => {
  api = await startApi({ timeouts: { keyCacheMs: 100 }, logLevel: 'info' });
  for (const role of ['viewer', 'integration', 'inventory_control', 'admin']) keys[role] = await api.bearer([role]);
});
afterAll(() => api.close());
afterEach(() => expect(api.serverErrors).toEqual([]));

type Method = 'get' | 'post';
const call = (method: Method, path: string) => (method === 'get' ? request(api.app).get(path) : request(api.app).post(path));

function expectProblem(res: request.Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
}

describe('authentication', () => {
  const routes: [Method, string][] = [
    ['get', '/v1/discrepancies'],
    ['get', '/v1/discrepancies/some-id'],
    ['post', '/v1/discrepancies'],
    ['post', '/v1/discrepancies/some-id/approve'],
    ['post', '/v1/counts'],
    ['get', '/v1/policies/active'],
    ['post', '/v1/policies'],
    ['get', '/v1/nowhere'],
  ];

  it.each(routes)('%s %s without a key is 401 with WWW-Authenticate', async (method, path) => {
    const res = await call(method, path).send({});
    expectProblem(res, 401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it.each([
    ['Basic dXNlcjpwdw=='],
    ['Bearer'],
    ['Bearer rk_not-a-real-key'],
    [`Bearer ${'x'.repeat(500)}`],
  ])('rejects Authorization %#', async (header) => {
    const res = await request(api.app).get('/v1/discrepancies').set('Authorization', header);
    expectProblem(res, 401);
  });

  it('rejects a revoked key (after the short in-process cache expires)', async () => {
    const { id, key } = await createApiKey(api.db, { userId: 'leaver', roles: ['viewer'], sites: ['*'] });
    expect((await request(api.app).get('/v1/policies/active').set('Authorization', `Bearer ${key}`)).status).toBe(200);
    expect(await revokeApiKey(api.db, id)).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    expectProblem(await request(api.app).get('/v1/policies/active').set('Authorization', `Bearer ${key}`), 401);
  });

  it('never writes the key to the logs', async () => {
    const { key } = await createApiKey(api.db, { userId: 'logged', roles: ['viewer'], sites: ['*'] });
    await request(api.app).get('/v1/discrepancies?limit=1').set('Authorization', `Bearer ${key}`).expect(200);
    await request(api.app).get('/v1/discrepancies?limit=0').set('Authorization', `Bearer ${key}`).expect(400);
    expect(api.logs.length).toBeGreaterThan(0);
    expect(api.logs.join('\n')).not.toContain(key);
  });

  it('needs no key for health, readiness and the spec', async () => {
    await request(api.app).get('/healthz').expect(200);
    await request(api.app).get('/openapi.json').expect(200);
  });
});

describe('roles', () => {
  // 400/404 mean "the role passed and the request went on to validation or lookup"
  const matrix: { route: [Method, string]; body: object; expect: Record<string, number> }[] = [
    { route: ['get', '/v1/discrepancies'], body: {}, expect: { viewer: 200, integration: 200, inventory_control: 200, admin: 200 } },
    { route: ['get', '/v1/policies/active'], body: {}, expect: { viewer: 200, integration: 200, inventory_control: 200, admin: 200 } },
    { route: ['post', '/v1/discrepancies'], body: {}, expect: { viewer: 403, integration: 400, inventory_control: 403, admin: 400 } },
    { route: ['post', '/v1/counts'], body: {}, expect: { viewer: 403, integration: 400, inventory_control: 403, admin: 400 } },
    { route: ['post', '/v1/policies'], body: {}, expect: { viewer: 403, integration: 403, inventory_control: 403, admin: 400 } },
    {
      route: ['post', '/v1/discrepancies/no-such-case/approve'],
      body: { reasonCode: 'CYCLE_COUNT' },
      expect: { viewer: 403, integration: 403, inventory_control: 404, admin: 404 },
    },
    {
      route: ['post', '/v1/discrepancies/no-such-case/comments'],
      body: { text: 'looked at it' },
      expect: { viewer: 403, integration: 403, inventory_control: 404, admin: 404 },
    },
  ];
  const cases = matrix.flatMap((m) => Object.entries(m.expect).map(([role, status]) => [m.route[0], m.route[1], role, status, m.body] as const));

  it.each(cases)('%s %s as %s → %i', async (method, path, role, status, body) => {
    const res = await call(method, path).set('Authorization', keys[role]).send(body);
    expect(res.status).toBe(status);
    if (status >= 400) expectProblem(res, status);
  });
});

describe('correlation id', () => {
  it('echoes a given X-Correlation-Id and generates one otherwise', async () => {
    const given = await request(api.app).get('/healthz').set('X-Correlation-Id', 'corr-123');
    expect(given.headers['x-correlation-id']).toBe('corr-123');
    const generated = await request(api.app).get('/v1/discrepancies');
    expect(generated.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.body.correlationId).toBe(generated.headers['x-correlation-id']);
  });

  it('replaces an unusable one', async () => {
    const res = await request(api.app).get('/healthz').set('X-Correlation-Id', 'bad id with spaces');
    expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('key lifetime', () => {
  it('an expired key is 401; a key for a role no policy knows is refused at creation', async () => {
    const expired = await createApiKey(api.db, { userId: 'expired-user', roles: ['viewer'], sites: ['*'], expiresAt: new Date(Date.now() - 1000) });
    await request(api.app).get('/v1/policies/active').set('Authorization', `Bearer ${expired.key}`).expect(401);
    await expect(createApiKey(api.db, { userId: 'picker1', roles: ['picker'], sites: ['*'] })).rejects.toThrow(UnknownRoleError);
  });
});
