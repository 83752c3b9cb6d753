import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { reportBody, startApi, uniq, type ApiHarness } from './support';

/**
 * An ERP posting reports as fast as it can: beyond what the intake takes at once, reports are
 * answered 429 with Retry-After before anything starts, never 5xx, never left hanging; a client
 * that retries as told ends with every report in exactly one case. The intake is made small
 * here (4 at once, 8 waiting 300 ms) so a burst of 150 overflows it on a real server.
 */
let api: ApiHarness;
let server: Server;
let base: string;
let integration: string;
const workflows = new Set<string>();

beforeAll(async () => {
  api = await startApi({ config: { REPORT_INTAKE_CONCURRENCY: 4, REPORT_INTAKE_QUEUE: 8, REPORT_INTAKE_WAIT_MS: 300, RATE_LIMIT_PER_MINUTE: 1_000_000 } });
  integration = await api.bearer(['integration']);
  server = await new Promise<Server>((resolve) => {
    const s = api.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const id of workflows) await api.temporal.workflow.getHandle(id).terminate('burst test done').catch(() => undefined);
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await api?.close();
});
afterEach(() => expect(api.serverErrors).toEqual([]));

interface Attempt {
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: { id?: string; workflowId?: string; status?: number; type?: string; detail?: string };
}

async function post(body: object): Promise<Attempt> {
  const res = await fetch(`${base}/v1/discrepancies`, {
    method: 'POST',
    headers: { authorization: integration, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    // past the server's own bound (a turn 300 ms, Postgres 2 × 5 s, Temporal 10 s): a hang, not a slow answer
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), contentType: res.headers.get('content-type'), body: (await res.json()) as Attempt['body'] };
}

/** The ERP's client: sends, and on 429 waits Retry-After and sends the same report again. */
async function deliver(body: object, attempts: Attempt[]): Promise<Attempt> {
  for (;;) {
    const a = await post(body);
    attempts.push(a);
    if (a.status !== 429) return a;
    await new Promise((r) => setTimeout(r, Number(a.retryAfter) * 1000));
  }
}

it('a burst beyond the intake gets 429 with Retry-After, no 5xx, and every report ends in exactly one case', async () => {
  const site = uniq('BURST');
  const reports = Array.from({ length: 120 }, (_, i) => reportBody({ site, sku: `SKU-${i}`, sourceEventIds: [`${site}-E${i}`] }));
  // the ERP also sends 30 of them twice within the burst (its own retry after a slow answer)
  const sent = [...reports, ...reports.slice(0, 30)];
  const attempts: Attempt[] = [];
  const answers = await Promise.all(sent.map((r) => deliver(r, attempts)));

  expect(attempts.filter((a) => a.status >= 500)).toEqual([]);
  expect(new Set(attempts.map((a) => a.status))).toEqual(new Set([202, 429]));
  for (const refused of attempts.filter((a) => a.status === 429)) {
    expect(refused.contentType).toMatch(/^application\/problem\+json/);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body).toMatchObject({ status: 429, detail: expect.stringMatching(/report intake/) });
  }
  for (const a of answers) workflows.add(a.body.workflowId!);

  const { rows } = await api.db.query<{ id: string; sku: string; workflow_id: string }>('SELECT id, sku, workflow_id FROM discrepancies WHERE site = $1', [site]);
  expect(rows).toHaveLength(reports.length);
  const bySku = new Map(rows.map((r) => [r.sku, r]));
  expect(bySku.size).toBe(reports.length);
  sent.forEach((r, i) => expect(answers[i].body.id).toBe(bySku.get(r.sku)?.id));
  // one workflow run per case: a refused attempt started nothing, a retry merged into its case
  for (const row of rows.slice(0, 20)) {
    const history = await api.temporal.workflow.getHandle(row.workflow_id, row.id).fetchHistory();
    const starts = (history.events ?? []).filter((e) => e.workflowExecutionStartedEventAttributes);
    expect(starts).toHaveLength(1);
  }
  const duplicated = rows.find((r) => r.sku === 'SKU-0')!;
  const history = await api.temporal.workflow.getHandle(duplicated.workflow_id, duplicated.id).fetchHistory();
  expect((history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'report')).toHaveLength(2);
}, 240_000);

it('the intake answers again at once when the burst is over', async () => {
  const a = await post(reportBody({ sku: uniq('SKU') }));
  expect(a.status).toBe(202);
  workflows.add(a.body.workflowId!);
});
