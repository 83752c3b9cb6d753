import { insertCase, startApi, type ApiHarness } from '../api/support';
import { uniq } from '../support/engine';
import { createPerson, signedIn } from './support';

// Where the case page sends a person after approving or rejecting (303 to /app?done=…&case=…):
// the queue, saying the decision was recorded, with the case marked as closing while its row
// still waits on them (the workflow records the close a moment later).
let api: ApiHarness;
const SITE = uniq('QA').slice(0, 12);
beforeAll(async () => {
  api = await startApi();
  await createPerson(api.db, { userId: `${SITE}-ic`, roles: ['inventory_control'], sites: [SITE] });
});
afterAll(() => api?.close());

const queue = async (query: string) => (await signedIn(api.app, `${SITE}-ic`)).agent.get(`/app${query}`);

it('says the approval was recorded and marks the case as closing, not waiting', async () => {
  const decided = await insertCase(api.db, { status: 'awaiting_approval', report: { site: SITE } });
  const other = await insertCase(api.db, { status: 'awaiting_approval', report: { site: SITE } });
  const res = await queue(`?done=approve&case=${decided.caseId}`);
  expect(res.status).toBe(200);
  expect(res.text).toContain('Your approval was recorded.');
  expect(res.text).toContain(`<a href="/app/cases/${decided.caseId}">Open the case again</a>`);
  const row = (id: string) => new RegExp(`<tr data-case="${id}"[^>]*>[\\s\\S]*?</tr>`).exec(res.text)?.[0] ?? '';
  expect(row(decided.caseId)).toContain('data-decided="approve"');
  expect(row(decided.caseId)).toContain('approved by you, closing');
  expect(row(other.caseId)).toContain('awaiting approval');
  expect(row(other.caseId)).not.toContain('closing');
  // the paging links and the live refresh's results do not carry the note on
  expect(res.text).not.toMatch(/href="\/app\?[^"]*done=/);
});

it('says a rejection was recorded', async () => {
  const decided = await insertCase(api.db, { status: 'awaiting_approval', report: { site: SITE } });
  const res = await queue(`?done=reject&case=${decided.caseId}`);
  expect(res.text).toContain('You rejected the case; it closes with no change.');
  expect(res.text).toContain('rejected by you, closing');
});

it('refuses a note it does not know, with the failing field', async () => {
  const res = await queue('?done=delete&case=x');
  expect(res.status).toBe(400);
  expect(res.text).toContain('query.done');
});
