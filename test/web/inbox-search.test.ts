import request from 'supertest';
import { upsertCaseRow } from '../../src/store/case-projection';
import { insertCase, startApi, type ApiHarness } from '../api/support';
import { uniq } from '../support/engine';
import { createPerson, signedIn } from './support';

// The inbox's search through its own door (GET /app/queue/results as a signed-in person): the
// page and its counts, within the person's sites, and a search too broad to count.
let api: ApiHarness;
let narrowLimit: ApiHarness;
let shortMemo: ApiHarness;
const SITE = uniq('IS').slice(0, 12);
const OTHER = uniq('IT').slice(0, 12);
const TOKEN = uniq('FIND').toUpperCase();
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startApi();
  narrowLimit = await startApi({ config: { INBOX_SEARCH_COUNT_LIMIT: 2 } });
  shortMemo = await startApi({ config: { INBOX_SEARCH_COUNT_LIMIT: 2, INBOX_BROAD_SEARCH_MEMO_SECONDS: 1 } });
  const put = async (name: string, site: string, o: Parameters<typeof insertCase>[1] = {}) => {
    ids[name] = (await insertCase(api.db, { ...o, report: { site, ...o.report } })).caseId;
  };
  await put('a', SITE, { report: { sku: `${TOKEN}-A`, location: 'A-01-01' } });
  await put('b', SITE, { report: { sku: `${TOKEN}-B`, location: 'A-01-02' }, breached: true });
  await put('c', SITE, { report: { sku: 'PLAIN-1', location: `BIN-${TOKEN}` } });
  await put('closed', SITE, { report: { sku: `${TOKEN}-Z` }, status: 'closed' });
  await put('elsewhere', OTHER, { report: { sku: `${TOKEN}-A` } });
  await createPerson(api.db, { userId: `${SITE}-ic`, roles: ['inventory_control'], sites: [SITE] });
});
afterAll(async () => {
  await api?.close();
  await narrowLimit?.close();
  await shortMemo?.close();
});

const listed = (html: string) => [...html.matchAll(/data-case="([^"]+)"/g)].map((m) => m[1]).sort();
const named = (...names: string[]) => names.map((n) => ids[n]).sort();

async function search(app: ApiHarness, query: string) {
  const { agent } = await signedIn(app.app, `${SITE}-ic`);
  const res = await agent.get(`/app/queue/results?${query}`);
  expect(res.status).toBe(200);
  return res.text;
}

describe('searching the inbox', () => {
  it("lists and counts the person's open cases that match, and only theirs", async () => {
    const text = await search(api, `q=${encodeURIComponent(TOKEN)}`);
    expect(listed(text)).toEqual(named('a', 'b', 'c'));
    expect(text).toContain('3 open cases in your scope · 1 breached');
    // a fragment of one field
    const one = await search(api, `q=${encodeURIComponent(`${TOKEN}-B`.toLowerCase())}`);
    expect(listed(one)).toEqual(named('b'));
    expect(one).toContain('1 open case in your scope · 1 breached');
  });

  it('finds closed cases when the person asks for closed ones', async () => {
    expect(listed(await search(api, `q=${encodeURIComponent(TOKEN)}&status=closed`))).toEqual(named('closed'));
  });

  it('shows the page of a search too broad to count, and says it was not counted', async () => {
    const text = await search(narrowLimit, `q=${encodeURIComponent(TOKEN)}`);
    expect(listed(text)).toEqual(named('a', 'b', 'c'));
    expect(text).toContain('More than 2 cases in your scope match this search: not counted');
    // the queue page keeps the filters' choices to narrow it with, without numbers
    const { agent } = await signedIn(narrowLimit.app, `${SITE}-ic`);
    const pageHtml = (await agent.get(`/app?q=${encodeURIComponent(TOKEN)}`).expect(200)).text;
    const kind = /<select id="f-kind"[^>]*>([\s\S]*?)<\/select>/.exec(pageHtml)?.[1] ?? '';
    expect(kind).toContain('<option value="count_variance">count variance</option>');
    expect(pageHtml).toContain('<option value="awaiting_approval">awaiting approval</option>');
    expect(pageHtml).toMatch(/name="breached" value="1"> SLA breached<\/label>/);
    // a narrower one is counted again
    const narrow = await search(narrowLimit, `q=${encodeURIComponent(`${TOKEN}-A`)}`);
    expect(listed(narrow)).toEqual(named('a'));
    expect(narrow).toContain('1 open case in your scope');
  });

  it('remembers a search found too broad for a while (the live queue repeats it), then counts it again once it is narrow', async () => {
    const word = uniq('MEMO').toUpperCase();
    const made = [];
    for (const n of [1, 2, 3]) made.push(await insertCase(shortMemo.db, { report: { site: SITE, sku: `${word}-${n}` } }));
    const broad = await search(shortMemo, `q=${word}`);
    expect(broad).toContain('More than 2 cases in your scope match this search: not counted');
    // two of the three close: the search is narrow now, but this process still takes it for broad
    for (const c of made.slice(1)) await upsertCaseRow(shortMemo.db, { ...c, status: 'closed', closedAt: new Date().toISOString() }, 2);
    const remembered = await search(shortMemo, `q=${word}`);
    expect(listed(remembered)).toEqual([made[0].caseId]);
    expect(remembered).toContain('not counted');
    await new Promise((r) => setTimeout(r, 1100));
    const counted = await search(shortMemo, `q=${word}`);
    expect(listed(counted)).toEqual([made[0].caseId]);
    expect(counted).toContain('1 open case in your scope');
  });

  it('answers 401 without a session', async () => {
    expect((await request(api.app).get(`/app/queue/results?q=${TOKEN}`)).status).toBe(401);
  });
});
