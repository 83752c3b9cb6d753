import Redis from 'ioredis';
import request from 'supertest';
import { InventoryEvent } from '../../src/domain';
import { storeEvent } from '../support/store-event';
import { seedBalance } from '../support/cases';
import { createApp } from '../../src/api/app';
import { useEngineWithApi, WMS_INTEGRATION } from '../support/e2e';
import { eventually, uniq } from '../support/engine';
import { createPerson, PASSWORD, reviewReport, signedIn, signInForm } from './support';

const e2e = useEngineWithApi();

async function reviewCase(site: string): Promise<string> {
  const res = await (await e2e.api.as(WMS_INTEGRATION)).post('/v1/discrepancies', reviewReport(site));
  expect(res.status).toBe(202);
  await e2e.caseRow(res.body.id, ['awaiting_approval']);
  return res.body.id as string;
}

describe('the inbox without a session', () => {
  it('sends pages to sign-in and refuses calls; the API still wants its key', async () => {
    const app = e2e.api.app;
    for (const path of ['/app', '/app/cases/x-1', '/app/counts', '/app/ops']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    expect((await request(app).get('/app/queue/results')).status).toBe(401);
    expect((await request(app).get('/app/stream')).status).toBe(401);
    expect((await request(app).post('/app/cases/x-1/approve').type('form').send({ reasonCode: 'X' })).status).toBe(401);
    expect((await request(app).post('/app/counts').type('form').send({ taskId: 'T', countedQty: '1' })).status).toBe(401);
    expect((await request(app).get('/v1/discrepancies')).status).toBe(401);
    // a made-up session cookie is no session
    expect((await request(app).get('/app').set('Cookie', 'reckon_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).status).toBe(303);
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie; Secure behind a TLS proxy', async () => {
    const who = await createPerson(e2e.engine.db, { userId: uniq('ic'), roles: ['inventory_control'], sites: ['DC1'] });
    const { signIn } = await signedIn(e2e.api.app, who.userId);
    const cookie = (signIn.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('reckon_session='))!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/; Secure/i);

    const redis = new Redis(e2e.engine.config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      const behindProxy = createApp({ temporal: e2e.engine.client, db: e2e.engine.db, redis, config: { ...e2e.engine.config, TRUST_PROXY: '1' } });
      const agent = request.agent(behindProxy);
      const csrf = await signInForm(agent);
      const res = await agent.post('/login').set('X-Forwarded-Proto', 'https').type('form').send({ user: who.userId, password: PASSWORD, _csrf: csrf });
      expect(res.status).toBe(303);
      const secure = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('reckon_session='))!;
      expect(secure).toMatch(/; Secure/i);
      expect(secure).toMatch(/; HttpOnly/i);
    } finally {
      redis.disconnect();
    }
  });

  it('refuses a wrong password, a sign-in form not from this site, and locks after repeated failures', async () => {
    const who = await createPerson(e2e.engine.db, { userId: uniq('ic'), roles: ['inventory_control'], sites: ['DC1'] });
    const agent = request.agent(e2e.api.app);
    let csrf = await signInForm(agent);
    const wrong = await agent.post('/login').type('form').send({ user: who.userId, password: 'not the password', _csrf: csrf });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Wrong user name or password');
    expect(String(wrong.headers['set-cookie'] ?? '')).not.toContain('reckon_session=');

    const forged = await agent.post('/login').type('form').send({ user: who.userId, password: PASSWORD, _csrf: 'forged-token' });
    expect(forged.status).toBe(403);
    expect(String(forged.headers['set-cookie'] ?? '')).not.toContain('reckon_session=');

    // the default allows 5 failures in a row; the one above was the first
    for (let i = 0; i < 4; i++) {
      csrf = await signInForm(agent);
      expect((await agent.post('/login').type('form').send({ user: who.userId, password: `guess ${i}`, _csrf: csrf })).status).toBe(401);
    }
    csrf = await signInForm(agent);
    const locked = await agent.post('/login').type('form').send({ user: who.userId, password: PASSWORD, _csrf: csrf });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(String(locked.headers['set-cookie'] ?? '')).not.toContain('reckon_session=');
  });

  it('signing out ends the session', async () => {
    const who = await createPerson(e2e.engine.db, { userId: uniq('ic'), roles: ['inventory_control'], sites: ['DC1'] });
    const { agent, csrf } = await signedIn(e2e.api.app, who.userId);
    expect((await agent.post('/logout').type('form').send({ _csrf: csrf })).status).toBe(303);
    expect((await agent.get('/app')).status).toBe(303);
  });
});

describe('site scope and CSRF on actions', () => {
  it('a person of site A gets 404 for site B’s case page and actions, and a forged CSRF token is refused', async () => {
    const siteA = uniq('DCA');
    const siteB = uniq('DCB');
    const id = await reviewCase(siteB);
    const outsider = await createPerson(e2e.engine.db, { userId: uniq('ic-a'), roles: ['inventory_control'], sites: [siteA] });
    const insider = await createPerson(e2e.engine.db, { userId: uniq('ic-b'), roles: ['inventory_control'], sites: [siteB] });

    const a = await signedIn(e2e.api.app, outsider.userId);
    const page = await a.agent.get(`/app/cases/${id}`);
    expect(page.status).toBe(404);
    expect(page.text).not.toContain(siteB);
    const act = await a.agent.post(`/app/cases/${id}/comment`).type('form').send({ _csrf: a.csrf, text: 'peeking' });
    expect(act.status).toBe(404);
    expect((await a.agent.get(`/app/queue/results`)).text).not.toContain(id);

    const b = await signedIn(e2e.api.app, insider.userId);
    expect((await b.agent.get(`/app/cases/${id}`)).status).toBe(200);
    const forged = await b.agent.post(`/app/cases/${id}/comment`).type('form').send({ _csrf: 'forged', text: 'via a forged form' });
    expect(forged.status).toBe(403);
    const crossOrigin = await b.agent.post(`/app/cases/${id}/comment`).set('Origin', 'https://evil.example').type('form').send({ _csrf: b.csrf, text: 'cross-site' });
    expect(crossOrigin.status).toBe(403);
    const audit = await e2e.engine.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE case_id = $1 AND action = 'commented'`, [id]);
    expect(audit.rows[0].n).toBe(0);

    // the real form works, as the same Temporal update with the person as actor
    const ok = await b.agent.post(`/app/cases/${id}/comment`).type('form').send({ _csrf: b.csrf, _idem: 'abcdefgh1234', text: 'checked the dock' });
    expect(ok.status).toBe(303);
    const rows = await eventually(async () => {
      const r = await e2e.engine.db.query(`SELECT actor_kind, actor_id FROM audit_log WHERE case_id = $1 AND action = 'commented'`, [id]);
      return r.rows.length ? r.rows : undefined;
    });
    expect(rows).toEqual([{ actor_kind: 'user', actor_id: insider.userId }]);
  });
});

it('the operations view shows inventory record accuracy from the counts, with the counts behind it', async () => {
  const site = uniq('IRA');
  const sku = uniq('SKU');
  for (const [location, qty] of [['C-01-01', 40], ['C-01-02', 40]] as const) await seedBalance(e2e.engine.db, { site, location, sku, wms: qty, erp: qty });
  const at = new Date().toISOString();
  const count = (location: string, qty: number) =>
    InventoryEvent.parse({ eventId: uniq('CNT'), source: 'wms', type: 'count', site, sku, location, qty, occurredAt: at, attributes: { unitCost: 5, skuClass: 'C' } });
  await storeEvent(e2e.engine.db, count('C-01-01', 40)); // as the books say
  await storeEvent(e2e.engine.db, count('C-01-02', 10)); // 30 short: out of tolerance
  const person = await createPerson(e2e.engine.db, { userId: uniq('ops'), roles: ['ops_manager'], sites: [site] });
  const { agent } = await signedIn(e2e.api.app, person.userId);
  const ops = await agent.get('/app/ops').expect(200);
  expect(ops.text).toMatch(/id="ira">50 % of 2 counts/);
  expect(ops.text).toContain('id="chart-ira"');
});

