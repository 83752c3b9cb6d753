import request from 'supertest';
import { startApi, type ApiHarness } from '../api/support';

/** The spec documents the operations endpoints and the contract every /v1 route shares. */
let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

it('lists the live feed, the KPIs and /metrics, from the zod schemas', async () => {
  const spec = (await request(api.app).get('/openapi.json').expect(200)).body;
  expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/stream', '/v1/kpis', '/metrics']));
  expect(spec.paths['/metrics'].get.security).toEqual([]);
  const kpiParams = spec.paths['/v1/kpis'].get.parameters.map((p: { name: string }) => p.name);
  expect(kpiParams).toEqual(['site', 'kind', 'from', 'to']);
  expect(spec.components.schemas.Kpis.required).toEqual(
    expect.arrayContaining(['volume', 'openByAge', 'mttd', 'mttr', 'autoResolutionRate', 'recountRate', 'slaBreachRate', 'falsePositiveRate', 'topRootCauses']),
  );
  expect(spec.components.schemas.CaseChange.properties.status.enum).toContain('awaiting_approval');
  expect(spec.paths['/v1/stream'].get.responses['200'].content['text/event-stream']).toBeDefined();
});

it('every mutating /v1 route takes an Idempotency-Key, and every /v1 route may answer 429', async () => {
  const spec = (await request(api.app).get('/openapi.json').expect(200)).body;
  for (const [path, ops] of Object.entries(spec.paths as Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>)) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, op] of Object.entries(ops)) {
      expect([path, method, Object.keys(op.responses)]).toEqual([path, method, expect.arrayContaining(['429'])]);
      if (method !== 'post') continue;
      const keys = (op.parameters ?? []).filter((p) => p.in === 'header' && p.name === 'Idempotency-Key');
      expect([path, keys.length]).toEqual([path, 1]);
      expect([path, Object.keys(op.responses)]).toEqual([path, expect.arrayContaining(['409', '422'])]);
    }
  }
});
