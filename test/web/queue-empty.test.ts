import { insertCase, startApi, type ApiHarness } from '../api/support';
import { uniq } from '../support/engine';
import { createPerson, signedIn } from './support';

// An empty queue that is not an empty warehouse: the person's roles own no open case, but their
// sites have cases on another role's desk or waiting for a count (no owner role). The queue says
// so and links to every role's cases (and a counter to the count tasks), through the page and
// its live refresh; with a filter chosen it stays a plain "nothing matches".
let api: ApiHarness;
const SITE = uniq('QE').slice(0, 12);
const QUIET = uniq('QQ').slice(0, 12);
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startApi();
  ids.recount = (await insertCase(api.db, { report: { site: SITE }, status: 'awaiting_recount', ownerRole: undefined })).caseId;
  ids.supervisor = (await insertCase(api.db, { report: { site: SITE }, ownerRole: 'site_supervisor', escalationLevel: 1 })).caseId;
  await insertCase(api.db, { report: { site: SITE }, status: 'closed', resolution: 'auto_resolved', ownerRole: undefined });
  await createPerson(api.db, { userId: `${SITE}-ic`, roles: ['inventory_control', 'counter'], sites: [SITE] });
  await createPerson(api.db, { userId: `${QUIET}-ic`, roles: ['inventory_control'], sites: [QUIET] });
});
afterAll(() => api?.close());

const listed = (html: string) => [...html.matchAll(/data-case="([^"]+)"/g)].map((m) => m[1]).sort();

it("says what is open in the person's sites on other desks when their own queue is empty", async () => {
  const { agent } = await signedIn(api.app, `${SITE}-ic`);
  for (const path of ['/app', '/app/queue/results']) {
    const text = (await agent.get(path).expect(200)).text;
    expect(listed(text)).toEqual([]);
    expect(text).toContain('Nothing waits on your roles.');
    expect(text).toContain('2 open cases in your sites wait on another role or on a count (1 awaiting approval, 1 awaiting recount)');
    expect(text).toContain(`<a href="/app?all=1">show every role's cases</a>`);
    expect(text).toContain('<a href="/app/counts">your count tasks</a>');
  }
  // the link shows them
  const all = (await agent.get('/app?all=1').expect(200)).text;
  expect(listed(all)).toEqual([ids.recount, ids.supervisor].sort());
});

it('stays a plain "nothing matches" when a filter is chosen, or when nothing is open at all', async () => {
  const { agent } = await signedIn(api.app, `${SITE}-ic`);
  const filtered = (await agent.get('/app/queue/results?severity=critical').expect(200)).text;
  expect(filtered).toContain('Nothing here: no case matches these filters.');
  expect(filtered).not.toContain('queue-elsewhere');
  const quiet = await signedIn(api.app, `${QUIET}-ic`);
  const none = (await quiet.agent.get('/app').expect(200)).text;
  expect(none).toContain('Nothing here: no case matches these filters.');
  expect(none).not.toContain('queue-elsewhere');
});
