import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { useEngineWithApi, WMS_INTEGRATION } from '../support/e2e';
import { eventually, uniq } from '../support/engine';
import { seedBalance } from '../support/cases';
import { approveOnCasePage, launchChromium } from './browser';
import { createPerson, PASSWORD, reviewReport } from './support';

// the worker publishes case changes, so the inbox's live feed has something to carry
const e2e = useEngineWithApi({ liveFeed: true });
let server: Server;
let base: string;
let browser: Browser;
const site = uniq('DCW');

beforeAll(async () => {
  server = createServer(e2e.api.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

async function report(body: Record<string, unknown>): Promise<string> {
  const res = await (await e2e.api.as(WMS_INTEGRATION)).post('/v1/discrepancies', body);
  expect(res.status).toBe(202);
  return res.body.id as string;
}

/** A fresh browser session (its own cookies), signed in through the form. */
async function signIn(userId: string, password = PASSWORD): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/app`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('User name').fill(userId);
  await page.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await page.waitForLoadState();
  return page;
}

describe('the approver inbox in a real browser', () => {
  it('signs in, finds the case, reads why, approves it; a second session sees it leave live; one who counted sees approve disabled', async () => {
    const id = await report(reviewReport(site));
    await e2e.caseRow(id, ['awaiting_approval']);
    const anna = await createPerson(e2e.engine.db, { userId: uniq('anna'), roles: ['inventory_control'], sites: [site] });
    const bob = await createPerson(e2e.engine.db, { userId: uniq('bob'), roles: ['inventory_control'], sites: [site] });
    await createPerson(e2e.engine.db, { userId: 'receiver9', roles: ['inventory_control'], sites: [site] });

    // a second session watches the queue, live
    const watcher = await signIn(bob.userId);
    await watcher.waitForURL(`${base}/app`);
    await watcher.locator(`tr[data-case="${id}"]`).waitFor();
    await watcher.locator('body[data-live-ready="1"]').waitFor();

    // the person behind the discrepancy sees approve disabled, with the reason
    const causer = await signIn('receiver9');
    await causer.goto(`${base}/app/cases/${id}`);
    expect(await causer.locator('form[data-action="approve"] fieldset').getAttribute('disabled')).not.toBeNull();
    expect(await causer.getByRole('button', { name: 'Approve', exact: true }).isDisabled()).toBe(true);
    expect(await causer.locator('form[data-action="approve"]').getAttribute('aria-describedby')).toBe('why-approve');
    expect(await causer.locator('#why-approve').textContent()).toContain('You took part in this discrepancy');
    expect(await causer.getByRole('button', { name: 'Add comment' }).isEnabled()).toBe(true);

    const page = await signIn(anna.userId);
    await page.waitForURL(`${base}/app`);
    const row = page.locator(`tr[data-case="${id}"]`);
    await row.waitFor();
    await row.getByRole('link').click();
    await page.waitForURL(`${base}/app/cases/${id}`);
    expect((await page.locator('#explanation').textContent())?.length).toBeGreaterThan(20);
    expect(await page.locator('#evidence [data-source="inbound"]').isVisible()).toBe(true);
    expect(await page.locator('#timeline').textContent()).toContain('approval requested');
    expect(await page.getByRole('button', { name: 'Approve', exact: true }).isEnabled()).toBe(true);
    // the approve form offers the pinned policy's approve codes for this kind, not reject codes nor other kinds' codes
    const offered = await page.locator('#approve-reason option').evaluateAll((os) => os.map((o) => o.getAttribute('value') ?? ''));
    expect(offered).toEqual(expect.arrayContaining(['VENDOR_SHORT', 'COUNT_CONFIRMED', 'OTHER']));
    expect(offered).not.toContain('MISCOUNT');
    expect(offered).not.toContain('LOST_IN_TRANSIT');
    const landed = await approveOnCasePage(page);
    // back on the queue, which says so; the case is not offered as waiting on anyone: gone, or
    // marked as approved and closing until the live feed takes it away
    expect(landed.status()).toBe(200);
    expect(await page.locator('#flash').textContent()).toContain('Your approval was recorded.');
    const decided = page.locator(`tr[data-case="${id}"]`);
    if ((await decided.count()) > 0) expect(await decided.textContent()).toContain('approved by you, closing');
    await decided.waitFor({ state: 'detached', timeout: 30_000 });

    // the watcher's queue drops the row without a reload
    await watcher.locator(`tr[data-case="${id}"]`).waitFor({ state: 'detached', timeout: 30_000 });
    const audit = await e2e.engine.db.query(`SELECT actor_id FROM audit_log WHERE case_id = $1 AND action = 'approved'`, [id]);
    expect(audit.rows).toEqual([{ actor_id: anna.userId }]);
    const closed = await e2e.caseRow(id);
    expect(closed.resolution).toBe('approved_adjusted');
  });

  it('a case that closes before the page’s live feed connects still leaves the queue once it does', async () => {
    const id = await report(reviewReport(site));
    await e2e.caseRow(id, ['awaiting_approval']);
    const erin = await createPerson(e2e.engine.db, { userId: uniq('erin'), roles: ['inventory_control'], sites: [site] });
    const page = await signIn(erin.userId);
    await page.waitForURL(`${base}/app`);
    // the feed is held back: the case's close is published while nothing listens on this page
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/app/stream', async (route) => {
      await held;
      await route.continue();
    });
    await page.reload();
    await page.locator(`tr[data-case="${id}"]`).waitFor();
    const approver = { userId: uniq('frank'), roles: ['inventory_control'], sites: [site] };
    expect((await (await e2e.api.as(approver)).post(`/v1/discrepancies/${id}/approve`, { reasonCode: 'VENDOR_SHORT' })).status).toBe(200);
    await e2e.caseRow(id);
    release();
    await page.locator(`tr[data-case="${id}"]`).waitFor({ state: 'detached', timeout: 30_000 });
  });

  it("searches the queue from its search box: the case by its sku's fragment, not the others", async () => {
    const wanted = reviewReport(site);
    const other = reviewReport(site);
    const [wantedId, otherId] = [await report(wanted), await report(other)];
    await e2e.caseRow(wantedId, ['awaiting_approval']);
    await e2e.caseRow(otherId, ['awaiting_approval']);
    const dana = await createPerson(e2e.engine.db, { userId: uniq('dana'), roles: ['inventory_control'], sites: [site] });
    const page = await signIn(dana.userId);
    await page.waitForURL(`${base}/app`);
    await page.locator(`tr[data-case="${otherId}"]`).waitFor();
    await page.getByLabel('Search').fill(wanted.sku.slice(2).toLowerCase());
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/\/app\?.*q=/);
    await page.locator(`tr[data-case="${wantedId}"]`).waitFor();
    expect(await page.locator(`tr[data-case="${otherId}"]`).count()).toBe(0);
    expect(await page.locator('#queue-summary').textContent()).toContain('1 open case in your scope');
  });

  it('a counter enters a count from a phone-sized screen, and the case takes it', async () => {
    const sku = uniq('SKU');
    await seedBalance(e2e.engine.db, { site, location: 'C-02-01', sku, wms: 100, erp: 100 });
    const id = await report({ kind: 'count_variance', site, sku, location: 'C-02-01', expectedQty: 100, observedQty: 80, unitCost: 10, skuClass: 'C', source: 'wms', causedBy: ['counter1'] });
    await e2e.caseRow(id, ['awaiting_recount']);
    const task = await eventually(async () => (await e2e.engine.db.query(`SELECT id FROM count_tasks WHERE owner_id = $1 AND status = 'open'`, [id])).rows[0]);
    const carl = await createPerson(e2e.engine.db, { userId: uniq('carl'), roles: ['counter'], sites: [site] });

    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${base}/login?next=/app/counts`);
    await page.getByLabel('User name').fill(carl.userId);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/app/counts`);
    const card = page.locator(`li[data-task="${task.id}"]`);
    await card.getByLabel('Counted quantity').fill('80');
    await card.getByRole('button', { name: 'Save count' }).click();
    expect(await page.locator('#flash').textContent()).toContain(`Count for task ${task.id} recorded`);
    const done = await e2e.engine.db.query('SELECT status, counted_by, counted_qty FROM count_tasks WHERE id = $1', [task.id]);
    expect(done.rows[0]).toMatchObject({ status: 'done', counted_by: carl.userId });
    await e2e.caseRow(id, ['awaiting_approval']);
    // the page fits the phone: nothing wider than the screen
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
  });

  it("tells a person whose roles own nothing what waits on other desks in their sites, and shows it on a click", async () => {
    const quietSite = uniq('DCQ');
    const id = await report(reviewReport(quietSite));
    await e2e.caseRow(id, ['awaiting_approval']);
    const sam = await createPerson(e2e.engine.db, { userId: uniq('sam'), roles: ['site_supervisor'], sites: [quietSite] });

    const page = await signIn(sam.userId);
    await page.waitForURL(`${base}/app`);
    expect(await page.locator('#queue-empty').textContent()).toContain('Nothing waits on your roles.');
    expect(await page.locator('#queue-elsewhere').textContent()).toContain('1 open case in your sites waits on another role or on a count (1 awaiting approval)');
    await page.getByRole('link', { name: "show every role's cases" }).click();
    await page.waitForURL(`${base}/app?all=1`);
    await page.locator(`tr[data-case="${id}"]`).waitFor();
  });

  it('refuses a wrong password and a forged CSRF token', async () => {
    const id = await report(reviewReport(site));
    await e2e.caseRow(id, ['awaiting_approval']);
    const dana = await createPerson(e2e.engine.db, { userId: uniq('dana'), roles: ['inventory_control'], sites: [site] });

    const wrong = await signIn(dana.userId, 'not my password');
    expect(await wrong.locator('#signin-error').textContent()).toContain('Wrong user name or password');
    expect((await wrong.context().cookies()).some((c) => c.name === 'reckon_session')).toBe(false);

    const page = await signIn(dana.userId);
    await page.waitForURL(`${base}/app`);
    await page.goto(`${base}/app/cases/${id}`);
    await page.evaluate(`document.querySelector('form[data-action="comment"] input[name="_csrf"]').value = 'forged'`);
    await page.locator('#comment-text').fill('should not land');
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Add comment' }).click()]);
    expect(response.status()).toBe(403);
    expect(await page.locator('#error-detail').textContent()).toContain('CSRF');
    const audit = await e2e.engine.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE case_id = $1 AND action = 'commented'`, [id]);
    expect(audit.rows[0].n).toBe(0);
  });
});
