// `npm run screenshots`: pictures of the inbox for docs/inbox.md, taken by the same Debian chromium
// the browser tests use. With --url it signs in to a running stack (scripts/dev.sh: user and password
// from data/demo-user.txt); without, it starts a private engine (fresh database, in-memory Temporal),
// loads the demo ledger, reports the demo cases, posts their recounts, and photographs that.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { loadFixture, parseFixture } from '../fake-wms/ledger';
import { DEMO_REPORTS } from '../src/cli/demo-reports';
import { loadConfig } from '../src/config';
import { startPrivateEngine } from '../src/sim/stack';
import { upsertUser } from '../src/store/user-repo';
import { hashPassword } from '../src/web/passwords';
import { launchChromium } from './chromium';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'docs', 'img');

const note = (msg: string) => process.stderr.write(`[screenshots] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function privateDemo(): Promise<{ url: string; user: string; password: string; stop: () => Promise<void> }> {
  const engine = await startPrivateEngine(loadConfig(), note);
  const db = engine.db!;
  await loadFixture(db, parseFixture(readFileSync(join(ROOT, 'fixtures', 'demo.json'), 'utf8')));
  const call = (path: string, body: unknown) =>
    fetch(`${engine.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${engine.key}` }, body: JSON.stringify(body) });
  const ids: string[] = [];
  for (const r of DEMO_REPORTS) ids.push(((await (await call('/v1/discrepancies', r)).json()) as { id: string }).id);
  // the recounts the demo asks for: counted as reported, so those cases wait for a person
  await until('the demo cases to decide', async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM discrepancies WHERE id = ANY($1) AND status IN ('closed', 'awaiting_recount', 'awaiting_approval')`, [ids]);
    return rows[0].n === ids.length;
  });
  const { rows: tasks } = await db.query(`SELECT t.id, d.observed_qty FROM ledger.count_tasks t JOIN discrepancies d ON d.id = t.case_id WHERE t.status = 'open'`);
  for (const t of tasks) await call('/v1/counts', { taskId: t.id, countedQty: Number(t.observed_qty), countedBy: 'counter-7' });
  await until('the demo cases to settle', async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM discrepancies WHERE id = ANY($1) AND status NOT IN ('closed', 'awaiting_approval')`, [ids]);
    return rows[0].n === 0;
  });
  const password = 'demo-screenshots-only';
  await upsertUser(db, { id: 'demo', name: 'Demo approver', roles: ['inventory_control', 'site_supervisor', 'counter'], sites: ['*'], passwordHash: await hashPassword(password) });
  return { url: engine.url, user: 'demo', password, stop: engine.stop };
}

function demoUserFile(): { user: string; password: string } {
  const text = readFileSync(join(ROOT, loadConfig().RECKON_DATA_DIR, 'demo-user.txt'), 'utf8');
  const user = /^user: (.+)$/m.exec(text)?.[1];
  const password = /^password: (.+)$/m.exec(text)?.[1];
  if (!user || !password) throw new Error('data/demo-user.txt does not hold a user and a password');
  return { user, password };
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  const file = join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  note(`wrote ${file}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' } }, strict: true });
  const target = values.url ? { url: values.url.replace(/\/$/, ''), ...demoUserFile(), stop: async () => undefined } : await privateDemo();
  mkdirSync(OUT, { recursive: true });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${target.url}/login?next=/app`);
    await page.getByLabel('User name').fill(target.user);
    await page.getByLabel('Password').fill(target.password);
    await Promise.all([page.waitForURL(/\/app/), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.locator('tr[data-case]').first().waitFor();
    await shoot(page, 'queue');
    await page.locator('tr[data-case] a').first().click();
    await page.locator('#actions').waitFor();
    await shoot(page, 'case');
    await page.goto(`${target.url}/app/ops`);
    await shoot(page, 'operations');
    const phone = await browser.newContext({ viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true, storageState: await context.storageState() });
    const p2 = await phone.newPage();
    await p2.goto(`${target.url}/app/counts`);
    await shoot(p2, 'counts-phone');
  } finally {
    await browser.close();
    await target.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`screenshots failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
