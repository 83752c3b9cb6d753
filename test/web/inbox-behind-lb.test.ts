import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freePort, waitForPort } from '../../src/dev/temporal-server';
import { startApi, type Api } from '../support/api';
import { useEngineWithApi, WMS_INTEGRATION } from '../support/e2e';
import { loadBalancerArgs } from '../support/load-balancer';
import { uniq } from '../support/engine';
import { approveOnCasePage, launchChromium } from './browser';
import { createPerson, PASSWORD, reviewReport } from './support';

// The inbox as a scaled-out deployment serves it: two API replicas behind nginx with the compose
// stack's proxying (scripts/lb-conf.sh, docker/nginx/proxy.conf), driven in a real browser. A
// person's requests land on either replica: the session, its CSRF token and the live feed must
// hold across them.
const e2e = useEngineWithApi({ liveFeed: true });
let second: Api;
let servers: Server[] = [];
const served = [0, 0];
let lb: ChildProcess;
let lbDir: string;
let base: string;
let browser: Browser;
const site = uniq('LBW');

beforeAll(async () => {
  second = await startApi(e2e.engine);
  servers = [e2e.api.app, second.app].map((app, i) => createServer((req, res) => (served[i]++, app(req, res))));
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  const ports = servers.map((s) => String((s.address() as AddressInfo).port));
  const lbPort = await freePort();
  lbDir = mkdtempSync(join(tmpdir(), 'reckon-lb-'));
  lb = spawn('nginx', loadBalancerArgs(lbPort, lbDir, ports), { stdio: 'ignore' });
  await waitForPort(lbPort, 20_000);
  base = `http://127.0.0.1:${lbPort}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  lb?.kill('SIGTERM');
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await second?.stop();
  if (lbDir) rmSync(lbDir, { recursive: true, force: true });
});

async function signIn(userId: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  await page.goto(`${base}/app`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('User name').fill(userId);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/app`);
  return page;
}

it('an approver on a phone signs in, approves and watches the queue live, through nginx in front of two API replicas', async () => {
  const res = await (await e2e.api.as(WMS_INTEGRATION)).post('/v1/discrepancies', reviewReport(site));
  expect(res.status).toBe(202);
  const id = res.body.id as string;
  await e2e.caseRow(id, ['awaiting_approval']);
  const anna = await createPerson(e2e.engine.db, { userId: uniq('anna'), roles: ['inventory_control'], sites: [site] });
  const bob = await createPerson(e2e.engine.db, { userId: uniq('bob'), roles: ['inventory_control'], sites: [site] });

  // a second person's queue listens to the live feed through the load balancer
  const watcher = await signIn(bob.userId);
  await watcher.locator(`tr[data-case="${id}"]`).waitFor();
  await watcher.locator('body[data-live-ready="1"]').waitFor();

  const page = await signIn(anna.userId);
  await page.locator(`tr[data-case="${id}"]`).getByRole('link').click();
  await page.waitForURL(`${base}/app/cases/${id}`);
  const landed = await approveOnCasePage(page);
  // the approval went through the other replica's session and CSRF check, and lands on the queue
  expect(landed.status()).toBe(200);
  expect(await page.locator('#flash').textContent()).toContain('Your approval was recorded.');

  // the change reaches the other person's page over the proxied feed, without a reload
  await watcher.locator(`tr[data-case="${id}"]`).waitFor({ state: 'detached', timeout: 30_000 });
  const closed = await e2e.caseRow(id);
  expect(closed.resolution).toBe('approved_adjusted');
  const audit = await e2e.engine.db.query(`SELECT actor_id FROM audit_log WHERE case_id = $1 AND action = 'approved'`, [id]);
  expect(audit.rows).toEqual([{ actor_id: anna.userId }]);
  // both replicas served the people's pages
  expect(served[0]).toBeGreaterThan(0);
  expect(served[1]).toBeGreaterThan(0);
});
