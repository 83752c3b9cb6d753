import request from 'supertest';
import { npmRun } from '../support/npm-cli';
import { startApi, type ApiHarness } from './support';

/** `npm run --silent keys -- …` as an operator runs it, against the suite's database. */
// at info, so a log line on stdout would show in what a command prints
const keys = (...args: string[]) => npmRun('keys', args, { env: { LOG_LEVEL: 'info' } });
const keysWithInput = (input: string, ...args: string[]) => npmRun('keys', args, { input, env: { LOG_LEVEL: 'info' } });

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ timeouts: { keyCacheMs: 0 } });
});
afterAll(() => api.close());
afterEach(() => expect(api.serverErrors).toEqual([]));

it('create prints exactly one line, the key, and that key authenticates with its roles and sites', async () => {
  const created = keys('create', '--user', 'cli-user', '--roles', 'inventory_control,viewer', '--sites', 'DC1,DC2');
  expect(created.status).toBe(0);
  expect(created.stdout).toMatch(/^rk_[A-Za-z0-9_-]{43}\n$/);
  const key = created.stdout.trim();

  await request(api.app).get('/v1/policies/active').set('Authorization', `Bearer ${key}`).expect(200);
  // inventory_control may act, but not report (integration) or change policies (admin)
  await request(api.app).post('/v1/policies').set('Authorization', `Bearer ${key}`).send({}).expect(403);

  const listed = keys('list');
  expect(listed.status).toBe(0);
  const rows = listed.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const mine = rows.find((r) => r.userId === 'cli-user');
  expect(mine).toMatchObject({ roles: ['inventory_control', 'viewer'], sites: ['DC1', 'DC2'] });
  expect(listed.stdout).not.toContain(key);
  expect(listed.stdout).not.toMatch(/hash/i);

  const revoked = keys('revoke', '--id', mine.id);
  expect(revoked.status).toBe(0);
  expect(revoked.stdout).toBe('');
  await request(api.app).get('/v1/policies/active').set('Authorization', `Bearer ${key}`).expect(401);
}, 120_000);

it('a key with --expires-in records its expiry; list shows when each key was last used', async () => {
  const created = keys('create', '--user', 'cli-expiring', '--roles', 'viewer', '--sites', '*', '--expires-in', '12h');
  expect(created.status).toBe(0);
  await request(api.app).get('/v1/policies/active').set('Authorization', `Bearer ${created.stdout.trim()}`).expect(200);
  const mine = keys('list').stdout.trim().split('\n').map((l) => JSON.parse(l)).find((r) => r.userId === 'cli-expiring');
  const hours = (Date.parse(mine.expiresAt) - Date.now()) / 3_600_000;
  expect(hours).toBeGreaterThan(11.9);
  expect(hours).toBeLessThanOrEqual(12);
  expect(Date.now() - Date.parse(mine.lastUsedAt)).toBeLessThan(60_000);
}, 120_000);

it('check answers 0 for an active key and 3 once it is revoked or unknown (a key kept from a reset database)', async () => {
  const key = keys('create', '--user', 'cli-check', '--roles', 'viewer', '--sites', '*').stdout.trim();
  const mine = () => keys('list').stdout.trim().split('\n').map((l) => JSON.parse(l)).find((r) => r.userId === 'cli-check');
  const active = keysWithInput(`${key}\n`, 'check');
  expect(active.status).toBe(0);
  expect(active.stdout).toBe('');
  expect(active.stderr).toContain(`active: ${mine().id} of cli-check`);
  // a check is not a use of the key
  expect(mine().lastUsedAt).toBeUndefined();

  expect(keys('revoke', '--id', mine().id).status).toBe(0);
  const revoked = keysWithInput(`${key}\n`, 'check');
  expect(revoked.status).toBe(3);
  expect(revoked.stderr).toMatch(/not an active key/);
  expect(keysWithInput('rk_not-a-key-this-database-has\n', 'check').status).toBe(3);
  expect(keysWithInput('', 'check').status).toBe(2);
}, 120_000);

it.each([
  [['create', '--user', 'u1', '--roles', 'viewer']],
  [['create', '--user', 'u1', '--roles', 'Not A Role', '--sites', '*']],
  [['create', '--user', 'u1', '--roles', 'viewer', '--sites', '*', '--extra', 'x']],
  // a role the policy does not know (it would pass for an approver) and a bad lifetime
  [['create', '--user', 'u1', '--roles', 'picker', '--sites', '*']],
  [['create', '--user', 'u1', '--roles', 'viewer,superuser', '--sites', '*']],
  [['create', '--user', 'u1', '--roles', 'viewer', '--sites', '*', '--expires-in', 'forever']],
  [['revoke']],
  [['frobnicate']],
  [[]],
])('bad arguments %j exit 2 with nothing on stdout', (args) => {
  const run = keys(...args);
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/usage:/);
}, 60_000);
