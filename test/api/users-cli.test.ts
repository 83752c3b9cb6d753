import request from 'supertest';
import { uniq } from '../support/engine';
import { npmRun } from '../support/npm-cli';
import { signedIn, signInForm } from '../web/support';
import { startApi, type ApiHarness } from './support';

/** `npm run --silent users -- …` as an operator (or scripts/dev.sh) runs it. */
const users = (args: string[], input?: string) => npmRun('users', args, { input, env: { LOG_LEVEL: 'info' } });

/** The sign-in form's answer for a user and password: 303 signed in, 401 refused. */
async function signInStatus(api: ApiHarness, user: string, password: string): Promise<number> {
  const agent = request.agent(api.app);
  const csrf = await signInForm(agent);
  const res = await agent.post('/login').type('form').send({ user, password, _csrf: csrf, next: '/app' });
  return res.status;
}

const ROLES = ['--roles', 'inventory_control,counter', '--sites', 'DC1'];

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());
afterEach(() => expect(api.serverErrors).toEqual([]));

it('create reads the password from standard input; the person signs in with it and list never shows it', async () => {
  const id = uniq('cli-person').toLowerCase();
  const made = users(['create', '--user', id, '--name', 'Cli Person', ...ROLES], 'first password here\n');
  expect(made.status).toBe(0);
  expect(made.stderr).toContain(`created user ${id}`);
  await signedIn(api.app, id, 'first password here');

  const listed = users(['list']);
  expect(listed.status).toBe(0);
  const row = listed.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((u) => u.id === id);
  expect(row).toMatchObject({ name: 'Cli Person', roles: ['inventory_control', 'counter'], sites: ['DC1'], disabled: false });
  expect(listed.stdout).not.toContain('first password here');
  expect(listed.stdout).not.toMatch(/hash/i);

  // create again replaces the password
  expect(users(['create', '--user', id, ...ROLES, '--password', 'second password here']).stderr).toContain(`updated user ${id}`);
  expect(await signInStatus(api, id, 'first password here')).toBe(401);
  await signedIn(api.app, id, 'second password here');

  expect(users(['disable', '--user', id]).status).toBe(0);
  expect(await signInStatus(api, id, 'second password here')).toBe(401);
}, 120_000);

it('create --if-missing leaves a person who exists as they are, and makes them again after a reset', async () => {
  const id = uniq('cli-kept').toLowerCase();
  expect(users(['create', '--user', id, ...ROLES, '--if-missing'], 'the kept password\n').stderr).toContain(`created user ${id}`);

  // scripts/dev.sh runs this on every start with the password it kept in data/demo-user.txt
  const again = users(['create', '--user', id, ...ROLES, '--if-missing'], 'another password\n');
  expect(again.status).toBe(0);
  expect(again.stderr).toContain(`kept user ${id}`);
  expect(await signInStatus(api, id, 'another password')).toBe(401);
  await signedIn(api.app, id, 'the kept password');

  // the database was reset: the person is gone, the kept password makes them again
  await api.db.query('DELETE FROM users WHERE id = $1', [id]);
  expect(await signInStatus(api, id, 'the kept password')).toBe(401);
  const remade = users(['create', '--user', id, ...ROLES, '--if-missing'], 'the kept password\n');
  expect(remade.status).toBe(0);
  expect(remade.stderr).toContain(`created user ${id}`);
  await signedIn(api.app, id, 'the kept password');
}, 120_000);

it.each([
  [['create', '--user', 'u1', '--roles', 'viewer', '--sites', '*', '--password', 'short']],
  [['create', '--user', 'has space', '--roles', 'viewer', '--sites', '*', '--password', 'long enough password']],
  [['create', '--user', 'u1', '--roles', 'viewer', '--password', 'long enough password']],
  [['create', '--user', 'u1', '--roles', 'viewer', '--sites', '*', '--if-missing=yes', '--password', 'long enough password']],
  [['disable']],
  [['frobnicate']],
])('bad arguments %j exit 2 with the usage', (args) => {
  const run = users(args);
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/usage:/);
}, 60_000);
