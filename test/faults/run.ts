import type { Pool } from 'pg';
import { loadFixture, parseFixture } from '../../fake-wms/ledger/fixture';
import { sleep, type IntegrationClient } from './client';
import type { PlannedCase, RunPlan } from './scenario';

export interface Fault {
  /** when, after the phase's first report, the fault starts */
  startAfterMs: number;
  inject: () => Promise<void>;
  /** what the fault can hit, when open cases are not it (a queue's messages); default: open cases by status */
  inFlight?: () => Promise<Record<string, number>>;
  /**
   * What a fault injected several times saw open at each injection (a worker kill lands on the
   * cases open at that moment), added to what was open when it began.
   */
  hitDuring?: () => Record<string, number>;
}

export interface PhaseOptions {
  /** reports are spread evenly over this long, so the fault lands while cases are in every stage */
  submitOverMs: number;
  /** how long the phase may take to settle once the fault is over */
  settleWithinMs: number;
  /**
   * How a report reaches the engine; none: `POST /v1/discrepancies` as an integration would.
   * Resolves with the case id when the door answers one.
   */
  submit?: (c: PlannedCase) => Promise<string | undefined>;
}

export interface PhaseOutcome {
  /** case id per sku, as the API answered the report */
  caseIds: Map<string, string>;
  /** answers the test did not expect (anything but 202 to a report or a count, 200 to an approval) */
  surprises: string[];
  timings: { submitMs: number; faultMs: number; settledMs: number };
  /** the run's open cases by status when the fault began: what it could hit */
  openAtFault: Record<string, number>;
}

/**
 * One run of cases in phases, each phase a wave of reports with its own fault: an integration
 * reports the wave's cases, and two people work every site of the run in the background for as
 * long as the run lasts — the WMS's counter reports the recounts the engine asks for, an approver
 * approves what waits for approval. A phase ends when every case of its wave has closed.
 */
export class FaultRun {
  private readonly plans: RunPlan[] = [];
  private readonly surprises: string[] = [];
  private readonly done = { approved: new Set<string>(), counted: new Set<string>() };
  private stopped = false;
  private people?: Promise<void>;

  constructor(
    private readonly db: Pool,
    private readonly clients: { reporter: IntegrationClient; approver: IntegrationClient },
  ) {}

  async phase(plan: RunPlan, fault: Fault, opts: PhaseOptions): Promise<PhaseOutcome> {
    await loadFixture(this.db, parseFixture(plan.fixture));
    this.plans.push(plan);
    this.people ??= this.work();
    const outcome: PhaseOutcome = { caseIds: new Map(), surprises: [], timings: { submitMs: 0, faultMs: 0, settledMs: 0 }, openAtFault: {} };
    const t0 = Date.now();
    const since = () => Date.now() - t0;
    const surprisesBefore = this.surprises.length;

    // aimed at work in flight: cases close in well under a second on a quiet machine, so the
    // fault waits (a few seconds at most) for something it can hit
    const faultDone = sleep(fault.startAfterMs)
      .then(async () => (outcome.openAtFault = await whenSome(fault.inFlight ?? (() => inFlight(this.db, [...outcome.caseIds.values()])), AIM_WITHIN_MS)))
      .then(fault.inject)
      .then(() => {
        for (const [status, n] of Object.entries(fault.hitDuring?.() ?? {})) outcome.openAtFault[status] = (outcome.openAtFault[status] ?? 0) + n;
        outcome.timings.faultMs = since();
      });
    const gap = opts.submitOverMs / plan.cases.length;
    await Promise.all(
      plan.cases.map(async (c, i) => {
        await sleep(i * gap);
        if (opts.submit) {
          const id = await opts.submit(c).catch((err: Error) => void outcome.surprises.push(`report ${c.sku}: ${err.message}`));
          if (id) outcome.caseIds.set(c.sku, id);
          return;
        }
        // keyed by the source event, as a careful integration sends it: a retry is the same report
        const res = await this.clients.reporter.post('/v1/discrepancies', c.report, `report-${c.report.sourceEventIds?.[0] ?? c.sku}`);
        if (res.status !== 202) {
          outcome.surprises.push(`report ${c.sku}: ${res.status} ${JSON.stringify(res.body)}`);
          return;
        }
        outcome.caseIds.set(c.sku, String(res.body.id));
      }),
    );
    outcome.timings.submitMs = since();
    await faultDone;
    const unsettled = await untilAllClosed(this.db, plan, opts.settleWithinMs);
    if (unsettled) outcome.surprises.push(`the phase did not settle within ${opts.settleWithinMs} ms after its fault: ${unsettled}`);
    outcome.timings.settledMs = since();
    outcome.surprises.push(...this.surprises.slice(surprisesBefore));
    return outcome;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.people;
  }

  /** The people's sweeps, once a second over every site of the run. */
  private async work(): Promise<void> {
    while (!this.stopped) {
      for (const plan of this.plans) {
        try {
          await this.countAll(plan);
          await this.approveAll(plan);
        } catch (err) {
          this.surprises.push(`${plan.site}: ${(err as Error).message}`);
        }
      }
      await sleep(1000);
    }
  }

  /** The approver approves each case that waits for approval once, with the planned quantity. */
  private async approveAll(plan: RunPlan): Promise<void> {
    const planned = new Map(plan.cases.filter((c) => c.approve).map((c) => [c.sku, c]));
    if ([...planned.keys()].every((sku) => this.done.approved.has(sku))) return;
    const waiting = await queue(this.clients.approver, plan.site, 'awaiting_approval');
    await Promise.all(
      waiting
        .filter((row) => planned.has(row.sku) && !this.done.approved.has(row.sku))
        .map(async (row) => {
          this.done.approved.add(row.sku);
          // one key per decision: a retry of a request whose answer was lost is the same approval
          const res = await this.clients.approver.post(`/v1/discrepancies/${row.id}/approve`, planned.get(row.sku)!.approve, `approve-${row.id}`);
          // a 409 after a lost answer means the first attempt closed the case; the end state says whether it did
          if (res.status === 200 || (res.status === 409 && res.retries > 0)) return;
          this.surprises.push(`approve ${row.sku}: ${res.status} ${JSON.stringify(res.body)}`);
        }),
    );
  }

  /**
   * The WMS's counter: for each case waiting on a recount, finds the count task the engine
   * created (its `count_task_created` entry) and reports a count for it, once: the planned one,
   * or for a case the plan did not expect to recount (its evidence went missing in a fault, so
   * the engine was less sure) what is on the shelf, which is what the report observed.
   */
  private async countAll(plan: RunPlan): Promise<void> {
    const bySku = new Map(plan.cases.map((c) => [c.sku, c]));
    const waiting = await queue(this.clients.reporter, plan.site, 'awaiting_recount');
    await Promise.all(
      waiting
        .filter((row) => bySku.has(row.sku))
        .map(async (row) => {
          const view = await this.clients.reporter.get(`/v1/discrepancies/${row.id}`);
          const timeline = (view.body.timeline ?? []) as { action: string; detail?: { taskId?: string } }[];
          const taskId = timeline.find((t) => t.action === 'count_task_created')?.detail?.taskId;
          if (view.status !== 200 || !taskId || this.done.counted.has(taskId)) return; // not recorded yet: the next sweep finds it
          this.done.counted.add(taskId);
          const c = bySku.get(row.sku)!;
          const count = c.recount ?? { countedQty: c.report.observedQty, countedBy: 'counter-9' };
          const res = await this.clients.reporter.post('/v1/counts', { taskId, ...count }, `count-${taskId}`);
          if (res.status === 202 || (res.status === 409 && res.retries > 0)) return;
          this.surprises.push(`count ${row.sku}: ${res.status} ${JSON.stringify(res.body)}`);
        }),
    );
  }
}

async function queue(client: IntegrationClient, site: string, status: string): Promise<PlannedCaseRow[]> {
  const rows: PlannedCaseRow[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ status, site, limit: '200', ...(cursor ? { cursor } : {}) });
    const res = await client.get(`/v1/discrepancies?${q}`);
    if (res.status !== 200) throw new Error(`queue: ${res.status} ${JSON.stringify(res.body)}`);
    rows.push(...(res.body.items as PlannedCaseRow[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return rows;
}

type PlannedCaseRow = { id: string; sku: PlannedCase['sku'] };

/**
 * What a fault can hit: open cases by status, and cases the API accepted (202) that are not in
 * the read model yet (on a starved machine the read model trails the workflows by seconds).
 */
export async function inFlight(db: Pool, accepted: string[]): Promise<Record<string, number>> {
  const open = await openCases(db);
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM discrepancies WHERE id = ANY($1::text[])', [accepted]);
  const notYetRecorded = accepted.length - rows[0].n;
  return notYetRecorded > 0 ? { ...open, accepted_not_yet_in_read_model: notYetRecorded } : open;
}

/** How long a fault waits, once due, for something in flight to hit. */
const AIM_WITHIN_MS = 5000;

/** What `probe` finds in flight, polled until it finds something or `withinMs` has passed. */
export async function whenSome(probe: () => Promise<Record<string, number>>, withinMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const found = await probe();
    if (Object.values(found).some((n) => n > 0) || Date.now() > deadline) return found;
    await sleep(50);
  }
}

export async function openCases(db: Pool): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM discrepancies WHERE status <> 'closed' GROUP BY status`);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** null once every sku of the plan has a closed case and no case of its site is open; else what is missing. */
async function untilAllClosed(db: Pool, plan: RunPlan, withinMs: number): Promise<string | null> {
  const deadline = Date.now() + withinMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const { rows } = await db.query(
        `SELECT count(*) FILTER (WHERE status = 'closed')::int AS closed, count(*)::int AS total,
                count(DISTINCT sku) FILTER (WHERE status = 'closed')::int AS skus
         FROM discrepancies WHERE site = $1`,
        [plan.site],
      );
      const r = rows[0];
      if (r.skus === plan.cases.length && r.closed === r.total) return null;
      last = `${r.closed} of ${r.total} cases closed, ${r.skus} of ${plan.cases.length} skus`;
    } catch (err) {
      last = `read model unreadable: ${(err as Error).message}`;
    }
    await sleep(1000);
  }
  return last;
}
