import type { Pool } from 'pg';
import { loadFixture, parseFixture } from '../../src/adapters/reference/fixture';
import { sleep, type IntegrationClient } from './client';
import type { PlannedCase, RunPlan } from './scenario';

export interface Fault {
  /** when, after the first report, the fault starts */
  startAfterMs: number;
  inject: () => Promise<void>;
}

export interface RunOptions {
  /** reports are spread evenly over this long, so the fault lands while cases are in every stage */
  submitOverMs: number;
  /** how long the run may take to settle once the fault is over */
  settleWithinMs: number;
}

export interface RunOutcome {
  /** case id per sku, as the API answered the report */
  caseIds: Map<string, string>;
  workflowIds: Map<string, string>;
  /** answers the test did not expect (anything but 202 to a report, 200 to an approval) */
  surprises: string[];
  timings: { submitMs: number; faultMs: number; settledMs: number };
}

/**
 * Runs the plan through the API while the fault happens: an integration reports every case and
 * the recounts the engine asks for, an approver works the queue, and the run ends when every
 * case of the site is closed.
 */
export async function runWithFault(
  db: Pool,
  clients: { reporter: IntegrationClient; approver: IntegrationClient },
  plan: RunPlan,
  fault: Fault,
  opts: RunOptions,
): Promise<RunOutcome> {
  await loadFixture(db, parseFixture(plan.fixture));
  const outcome: RunOutcome = { caseIds: new Map(), workflowIds: new Map(), surprises: [], timings: { submitMs: 0, faultMs: 0, settledMs: 0 } };
  const t0 = Date.now();
  const since = () => Date.now() - t0;

  const faultDone = sleep(fault.startAfterMs)
    .then(fault.inject)
    .then(() => (outcome.timings.faultMs = since()));
  const reviews = new Map(plan.cases.filter((c) => c.approve).map((c) => [c.sku, c]));
  const approvalsDone = approveAll(clients.approver, plan.site, reviews, outcome);
  const recounts = new Map(plan.cases.filter((c) => c.recount).map((c) => [c.sku, c]));
  const countsDone = countAll(clients.reporter, plan.site, recounts, outcome);

  const gap = opts.submitOverMs / plan.cases.length;
  await Promise.all(
    plan.cases.map(async (c, i) => {
      await sleep(i * gap);
      const res = await clients.reporter.post('/v1/discrepancies', c.report);
      if (res.status !== 202) {
        outcome.surprises.push(`report ${c.sku}: ${res.status} ${JSON.stringify(res.body)}`);
        return;
      }
      outcome.caseIds.set(c.sku, String(res.body.id));
      outcome.workflowIds.set(c.sku, String(res.body.workflowId));
    }),
  );
  outcome.timings.submitMs = since();
  await faultDone;
  await countsDone;
  await approvalsDone;
  const unsettled = await untilAllClosed(db, plan, opts.settleWithinMs);
  if (unsettled) outcome.surprises.push(`the run did not settle within ${opts.settleWithinMs} ms: ${unsettled}`);
  outcome.timings.settledMs = since();
  return outcome;
}

/** The approver sweeps the queue of the run's site and approves each review case once, with the planned quantity. */
async function approveAll(approver: IntegrationClient, site: string, reviews: Map<string, PlannedCase>, outcome: RunOutcome): Promise<void> {
  const settled = new Set<string>();
  const giveUpAt = Date.now() + 8 * 60_000;
  while (settled.size < reviews.size && Date.now() < giveUpAt) {
    const waiting = await queue(approver, site);
    const todo = waiting.filter((row) => reviews.has(row.sku) && !settled.has(row.sku));
    await Promise.all(
      todo.map(async (row) => {
        const plan = reviews.get(row.sku)!;
        settled.add(row.sku);
        // one key per decision: a retry of a request whose answer was lost is the same approval
        const res = await approver.post(`/v1/discrepancies/${row.id}/approve`, plan.approve, `approve-${row.id}`);
        // a 409 after a lost answer means the first attempt closed the case; the end state says whether it did
        if (res.status === 200 || (res.status === 409 && res.retries > 0)) return;
        outcome.surprises.push(`approve ${row.sku}: ${res.status} ${JSON.stringify(res.body)}`);
      }),
    );
    if (settled.size < reviews.size) await sleep(1000);
  }
}

/**
 * The WMS's counter: for each case waiting on a recount, finds the count task the engine created
 * (its `count_task_created` entry) and reports the planned count for it, once per task.
 */
async function countAll(counter: IntegrationClient, site: string, recounts: Map<string, PlannedCase>, outcome: RunOutcome): Promise<void> {
  const counted = new Set<string>();
  const giveUpAt = Date.now() + 8 * 60_000;
  while (counted.size < recounts.size && Date.now() < giveUpAt) {
    const waiting = await queue(counter, site, 'awaiting_recount');
    const todo = waiting.filter((row) => recounts.has(row.sku) && !counted.has(row.sku));
    await Promise.all(
      todo.map(async (row) => {
        const view = await counter.get(`/v1/discrepancies/${row.id}`);
        const task = (view.body.timeline as { action: string; detail?: { taskId?: string } }[] | undefined)?.find((t) => t.action === 'count_task_created');
        if (view.status !== 200 || !task?.detail?.taskId) return; // not recorded yet: the next sweep finds it
        counted.add(row.sku);
        const plan = recounts.get(row.sku)!;
        const taskId = task.detail.taskId;
        const res = await counter.post('/v1/counts', { taskId, ...plan.recount }, `count-${taskId}`);
        if (res.status === 202 || (res.status === 409 && res.retries > 0)) return;
        outcome.surprises.push(`count ${row.sku}: ${res.status} ${JSON.stringify(res.body)}`);
      }),
    );
    if (counted.size < recounts.size) await sleep(1000);
  }
}

async function queue(client: IntegrationClient, site: string, status = 'awaiting_approval'): Promise<{ id: string; sku: string }[]> {
  const rows: { id: string; sku: string }[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ status, site, limit: '200', ...(cursor ? { cursor } : {}) });
    const res = await client.get(`/v1/discrepancies?${q}`);
    if (res.status !== 200) throw new Error(`queue: ${res.status} ${JSON.stringify(res.body)}`);
    rows.push(...(res.body.items as { id: string; sku: string }[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return rows;
}

/** null once every sku of the run has a closed case and no case of the site is open; else what is missing. */
async function untilAllClosed(db: Pool, plan: RunPlan, withinMs: number): Promise<string | null> {
  const deadline = Date.now() + withinMs;
  let last = '';
  while (Date.now() < deadline) {
    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE status = 'closed')::int AS closed, count(*)::int AS total,
              count(DISTINCT sku) FILTER (WHERE status = 'closed')::int AS skus
       FROM discrepancies WHERE site = $1`,
      [plan.site],
    );
    const r = rows[0];
    if (r.skus === plan.cases.length && r.closed === r.total) return null;
    last = `${r.closed} of ${r.total} cases closed, ${r.skus} of ${plan.cases.length} skus`;
    await sleep(1000);
  }
  return last;
}
