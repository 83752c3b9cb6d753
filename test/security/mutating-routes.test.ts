import type { Express } from 'express';
import request from 'supertest';
import { startApi, type ApiHarness } from '../api/support';

/**
 * Every route that changes something needs a key, and a viewer key changes nothing. The routes
 * come from the app itself (express's router) and from /openapi.json, so a route added later is
 * covered without editing this file.
 */
let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());
afterEach(() => expect(api.serverErrors).toEqual([]));

const MUTATING = new Set(['post', 'put', 'patch', 'delete']);

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string | RegExp;
}

/** `METHOD /path` of every route registered on the app, with express `:param`s as OpenAPI `{param}`. */
function expressRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = `${prefix}${layer.route.path}`.replace(/\/$/, '') || '/';
        for (const m of Object.keys(layer.route.methods)) found.push(`${m} ${path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, `${prefix}${typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}

type Spec = { paths: Record<string, Record<string, { security?: unknown[] }>> };

let spec: Spec;
let fromApp: string[];
let routes: string[];
beforeAll(async () => {
  spec = (await request(api.app).get('/openapi.json').expect(200)).body;
  const documented = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
  // the key-authenticated API; the inbox's session routes (/login, /app/…) answer sessions and CSRF
  // tokens, not keys, and test/web/inbox-security.test.ts refuses each of them without a session
  fromApp = expressRoutes(api.app).filter((r) => MUTATING.has(r.split(' ')[0]) && r.split(' ')[1].startsWith('/v1'));
  routes = [...new Set([...fromApp, ...documented.filter((r) => MUTATING.has(r.split(' ')[0]))])].sort();
});

/** A concrete URL for a templated path; the request must be refused before the id matters. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'route-check-1');

function send(route: string, headers: Record<string, string>, body: string) {
  const [method, path] = route.split(' ') as ['post' | 'put' | 'patch' | 'delete', string];
  return request(api.app)[method](concrete(path)).set(headers).set('Content-Type', 'application/json').send(body);
}

it('finds the mutating routes in the app and the spec, and they agree', () => {
  // the walk itself must work: these are routes the design names
  expect(fromApp).toEqual(expect.arrayContaining(['post /v1/discrepancies', 'post /v1/discrepancies/{id}/approve', 'post /v1/counts', 'post /v1/policies', 'post /v1/events']));
  const documented = new Set(Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
  expect(fromApp.filter((r) => !documented.has(r))).toEqual([]);
});

it('documents no mutating operation as public', () => {
  const publicOps = Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m, op]) => MUTATING.has(m) && Array.isArray(op.security) && op.security.length === 0)
      .map(([m]) => `${m} ${path}`),
  );
  expect(publicOps).toEqual([]);
});

it('answers 401 problem+json to every mutating route without a key, or with an unknown one, before reading the body', async () => {
  const answers: Record<string, number[]> = {};
  for (const route of routes) {
    // malformed JSON: anonymous callers cannot make the API parse anything, so this is no 400
    const refused = [await send(route, {}, '{"not": "parsed"'), await send(route, { Authorization: 'Bearer rk_unknown-key-0000' }, '{"not": "parsed"')];
    for (const res of refused) {
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    answers[route] = refused.map((r) => r.status);
  }
  expect(answers).toEqual(Object.fromEntries(routes.map((r) => [r, [401, 401]])));
});

it('answers 403 to every mutating route for a viewer key (read only)', async () => {
  const viewer = await api.bearer(['viewer']);
  const answers: Record<string, number> = {};
  for (const route of routes) {
    const res = await send(route, { Authorization: viewer }, '{}');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    answers[route] = res.status;
  }
  expect(answers).toEqual(Object.fromEntries(routes.map((r) => [r, 403])));
});
