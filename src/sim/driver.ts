import { AUTOMATIC_CASE_STATUSES } from '../domain';
import { DAY, HOUR, SIM_WINDOWS, type SimEvent } from './context';
import type { CaseDetail, CaseSummary, IncidentSummary, SimClient } from './client';
import type { Simulation } from './generator';
import { approverCrew, type ApprovalsRecord } from './approvers';
import type { NightPlanner } from './night-planner';
import { counterReading } from './outbound';
import { Prng } from './prng';
import { shadowCrew, type ShadowRecord } from './shadow-crew';
import type { ProgressBar } from './progress';

export interface DriveOptions {
  /** simulated ms per real ms */
  speed: number;
  /** how often the pacer posts what has become due (real ms) */
  tickMs?: number;
  progress?: ProgressBar;
  log?: (msg: string) => void;
  /** longest real wait for cases to settle after the drain (ms) */
  settleTimeoutMs?: number;
  /** runs the cycle-count planner each simulated night; without it no planned counts happen */
  planner?: NightPlanner;
  /** simulated approvers decide every case waiting for approval per ground truth (outcomes for scorer v2) */
  approve?: boolean;
  /** the approvers' clients (default: the run's own client) */
  approvers?: SimClient[];
  /** share of planned counts the night crew miscounts (off by default: see docs/simulator.md); recounts a case asks for are careful */
  nightMiscountRate?: number;
  /** seeds the night crew's miscounts */
  seed?: number;
  /** an inventory controller books what shadowed cases' bins lack in the WMS (sites in shadow mode) */
  shadowCrew?: boolean;
}

/** What the night shift did: planner runs, the count tasks they created, and the counts that opened a case. */
export interface PlannedCountsRecord {
  plans: number;
  tasks: number;
  answered: number;
  /** counts that differed from the WMS view and opened (or joined) a count_variance case */
  variances: number;
  /** case ids those counts opened */
  caseIds: string[];
  /** bins the WMS refused a task for */
  refused: number;
}

/** What a run observed: the engine's cases and incidents, and how faithfully time was kept. */
export interface RunRecord {
  speed: number;
  simStart: number;
  realStart: number;
  cases: CaseSummary[];
  /** details of auto-resolved cases (their decision) */
  autoResolved: CaseDetail[];
  /** every case's detail at the end (the score with its root-cause probabilities) */
  details: CaseDetail[];
  incidents: IncidentSummary[] | null;
  events: { sent: number; accepted: number; duplicate: number; invalid: number; redeliveriesSent: number };
  /** how far behind its schedule the latest-posted event was, at worst (real ms) */
  maxLagMs: number;
  /** how long simulated time stood still while the engine caught up (real ms) */
  pausedMs: number;
  /** (real, simulated) checkpoints: see simTimeline */
  timeline: [number, number][];
  countsAnswered: number;
  /** null when no planner was driven (an engine reached with --api) */
  plannedCounts: PlannedCountsRecord | null;
  /** null when no approvers acted */
  approvals: ApprovalsRecord | null;
  /** what the controller booked after shadow cases; null without shadow mode */
  shadow: ShadowRecord | null;
  realDurationMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
/** Behind schedule by more than this, simulated time stops until the engine has caught up. */
const MAX_LAG_MS = 1000;
const TRANSIENT: ReadonlySet<string> = new Set(AUTOMATIC_CASE_STATUSES);

/** Simulated and real time for a run: the stream starts `realStart` and runs `speed` times faster. */
export class SimClock {
  constructor(
    readonly simStart: number,
    public realStart: number,
    readonly speed: number,
  ) {}
  /** (real, simulated) instants as the run went: simulated time may stand still, never run back */
  readonly checkpoints: [number, number][] = [];
  /** Holds simulated time still for `ms` of real time (the engine fell behind). */
  pause(ms: number): void {
    this.realStart += ms;
  }
  /** Notes where simulated time stands at a real instant. */
  mark(realMs: number): void {
    const last = this.checkpoints[this.checkpoints.length - 1];
    this.checkpoints.push([realMs, Math.max(last?.[1] ?? -Infinity, this.simOf(realMs))]);
  }
  realOf(simMs: number): number {
    return this.realStart + (simMs - this.simStart) / this.speed;
  }
  simOf(realMs: number): number {
    return this.simStart + (realMs - this.realStart) * this.speed;
  }
}

/**
 * Simulated time of a past real instant, from the checkpoints the run noted: it runs at the
 * speed-up between checkpoints and stands still where the run paused. Beyond the last
 * checkpoint it runs on at the speed-up.
 */
export function simTimeline(checkpoints: [number, number][], speed: number): (realMs: number) => number {
  return (r) => {
    if (checkpoints.length === 0) return NaN;
    let lo = 0;
    let hi = checkpoints.length - 1;
    if (r < checkpoints[0][0]) return checkpoints[0][1] - (checkpoints[0][0] - r) * speed;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (checkpoints[mid][0] <= r) lo = mid;
      else hi = mid - 1;
    }
    const [real, sim] = checkpoints[lo];
    const next = checkpoints[lo + 1];
    const ahead = sim + (r - real) * speed;
    return next ? Math.min(ahead, next[1]) : ahead;
  };
}

/** The event as posted: attributes that are instants become real times on the run's clock. */
export function wireEvent(e: SimEvent, clock: SimClock): unknown {
  if (!e.realTimes) return e.event;
  const times = Object.fromEntries(Object.entries(e.realTimes).map(([k, v]) => [k, new Date(clock.realOf(v)).toISOString()]));
  return { ...e.event, attributes: { ...(e.event.attributes ?? {}), ...times } };
}

/**
 * Plays a simulation against the engine: the opening stock at once, then every event when its
 * simulated time comes round on the run's clock, in batches; meanwhile a count crew answers
 * the engine's count tasks with the physical truth. After the last event it waits out the
 * longest watcher window and for the cases to settle, then reads the cases and incidents.
 */
export async function drive(client: SimClient, sim: Simulation, opts: DriveOptions): Promise<RunRecord> {
  const log = opts.log ?? (() => undefined);
  const tally = { sent: 0, accepted: 0, duplicate: 0, invalid: 0, redeliveriesSent: 0 };
  // cases the intake reported for events: the run is not over before each is in the read model
  const reported = new Set<string>();
  const post = async (batch: SimEvent[], clock: SimClock) => {
    for (let i = 0; i < batch.length; i += 1000) {
      const part = batch.slice(i, i + 1000);
      const res = await client.postEvents(part.map((e) => wireEvent(e, clock)));
      tally.sent += part.length;
      tally.redeliveriesSent += part.filter((e) => e.redelivery).length;
      tally.accepted += res.summary.accepted ?? 0;
      tally.duplicate += res.summary.duplicate ?? 0;
      for (const r of res.results) for (const id of r.cases ?? []) reported.add(id);
      const bad = res.results.filter((r) => r.status === 'invalid' || r.status === 'forbidden');
      tally.invalid += bad.length;
      if (bad.length) log(`refused events: ${JSON.stringify(bad.slice(0, 3))}`);
    }
  };

  const began = Date.now();
  await post(sim.opening, new SimClock(sim.start, Date.now(), opts.speed));
  const clock = new SimClock(sim.start, Date.now() + 1000, opts.speed);
  let running = true;
  const crew = countCrew(client, sim, clock, () => running, log);
  let deciding = true;
  const approvers = opts.approve ? approverCrew(client, opts.approvers?.length ? opts.approvers : [client], sim.faults, () => simTimeline(clock.checkpoints, clock.speed), () => deciding, log) : null;
  const controller = opts.shadowCrew ? shadowCrew(client, sim.books, () => clock.simOf(Date.now()), () => running, log) : null;
  const nightCrew = { rate: opts.nightMiscountRate ?? 0, rng: new Prng(((opts.seed ?? 0) ^ 0x6a09e667) >>> 0) };
  const nights = opts.planner ? nightShift(client, sim, clock, opts.planner, nightCrew, () => running, log) : null;

  const events = sim.events;
  let i = 0;
  let maxLagMs = 0;
  let pausedMs = 0;
  const drainUntil = () => clock.realOf(sim.end + SIM_WINDOWS.mismatchSettle + HOUR);
  const total = () => drainUntil() - clock.realStart;
  const status = () => {
    const simNow = new Date(clock.simOf(Date.now())).toISOString().slice(0, 16).replace('T', ' ');
    const planned = nights ? `  planned counts ${nights.record.answered}/${nights.record.tasks}` : '';
    return `sim ${simNow}  events ${Math.min(i, events.length)}/${events.length}  paused ${(pausedMs / 1000).toFixed(0)}s  counts ${crew.answered()}${planned}`;
  };
  while (i < events.length) {
    const now = Date.now();
    const behind = now - clock.realOf(events[i].at);
    if (behind > MAX_LAG_MS) {
      clock.pause(behind);
      pausedMs += behind;
    }
    clock.mark(now);
    const simNow = clock.simOf(now);
    const batch: SimEvent[] = [];
    while (i < events.length && events[i].at <= simNow) batch.push(events[i++]);
    if (batch.length > 0) {
      maxLagMs = Math.max(maxLagMs, now - clock.realOf(batch[0].at));
      await post(batch, clock);
    } else {
      await sleep(Math.min(opts.tickMs ?? 250, clock.realOf(events[i].at) - now));
    }
    opts.progress?.update(Date.now() - clock.realStart, total(), status());
  }
  while (Date.now() < drainUntil()) {
    clock.mark(Date.now());
    opts.progress?.update(Date.now() - clock.realStart, total(), `${status()}  draining`);
    await sleep(500);
  }
  clock.mark(Date.now());
  // a night the engine was too slow to reach inside the drain is still planned and counted
  if (nights) await nights.finished;
  // approvers stop with the stream, so the cases read at the end have settled after their last decision
  deciding = false;
  await approvers?.stopped;
  clock.mark(Date.now());
  opts.progress?.done(`stream done: ${status()}`);

  // let every case reach a resting state: waiting for people, or closed
  const deadline = Date.now() + (opts.settleTimeoutMs ?? 180_000);
  let last = -1;
  let still = 0;
  let cases: CaseSummary[] = [];
  for (;;) {
    cases = await client.listCases();
    const known = new Set(cases.map((c) => c.id));
    const unseen = [...reported].filter((id) => !known.has(id)).length;
    const moving = cases.filter((c) => TRANSIENT.has(c.status)).length;
    const recounting = cases.filter((c) => c.status === 'awaiting_recount').length;
    still = cases.length === last ? still + 1 : 0;
    if ((unseen === 0 && moving === 0 && recounting === 0 && still >= 2) || Date.now() > deadline) break;
    last = cases.length;
    log(`settling: ${cases.length} cases, ${unseen} reported but not yet in the read model, ${moving} moving, ${recounting} awaiting a recount`);
    await sleep(2000);
  }
  running = false;
  await crew.stopped;
  await controller?.stopped;
  // shadow cases closed since the controller's last look
  await controller?.sweep();

  const details: CaseDetail[] = [];
  for (const c of cases) details.push(await client.getCase(c.id));
  const autoResolved = details.filter((d) => d.resolution === 'auto_resolved');
  const incidents = await client.listIncidents();
  return {
    speed: opts.speed,
    simStart: sim.start,
    realStart: clock.realStart,
    cases,
    autoResolved,
    details,
    incidents,
    events: tally,
    maxLagMs,
    pausedMs,
    timeline: clock.checkpoints,
    countsAnswered: crew.answered(),
    plannedCounts: nights?.record ?? null,
    approvals: approvers?.record ?? null,
    shadow: controller?.record ?? null,
    realDurationMs: Date.now() - began,
  };
}

/**
 * The count crew: cases waiting for a recount get the physical quantity at the bin at the
 * simulated moment the task is picked up — the truth, which is what a careful counter finds.
 */
function countCrew(client: SimClient, sim: Simulation, clock: SimClock, running: () => boolean, log: (m: string) => void) {
  const done = new Set<string>();
  const loop = async () => {
    while (running()) {
      try {
        const waiting = await client.listCases({ status: 'awaiting_recount' });
        for (const c of waiting) {
          if (!c.location) continue;
          const detail = await client.getCase(c.id);
          const task = (detail.live?.recounts ?? []).find((r) => r.countedQty === undefined && !r.timedOut && !done.has(r.taskId));
          if (!task) continue;
          const phys = sim.books.pointAt(c.site, c.location, c.sku, clock.simOf(Date.now())).phys;
          await client.postCount({ taskId: task.taskId, countedQty: Math.max(0, phys), countedBy: 'sim-count-crew', countedAt: new Date().toISOString() });
          done.add(task.taskId);
        }
      } catch (err) {
        log(`count crew: ${(err as Error).message}`);
      }
      await sleep(1500);
    }
  };
  return { stopped: loop(), answered: () => done.size };
}

/** The simulated nights the planner runs on: 02:00 (the schedule's default) after each day, the last in the drain. */
export function plannerNights(sim: Pick<Simulation, 'start' | 'end'>): number[] {
  const out: number[] = [];
  for (let t = sim.start + DAY + 2 * HOUR; t <= sim.end + 2 * HOUR; t += DAY) out.push(t);
  return out;
}

/**
 * The night shift: when a simulated night comes round, the cycle-count planner runs for each
 * site and the count crew counts every task it created — the physical quantity in the bin,
 * like the recounts. A count that agrees with the WMS opens nothing; one that differs opens a
 * count_variance case, which is how a mis-slot nobody picks from comes to light.
 */
function nightShift(client: SimClient, sim: Simulation, clock: SimClock, planner: NightPlanner, crew: { rate: number; rng: Prng }, running: () => boolean, log: (m: string) => void) {
  const record: PlannedCountsRecord = { plans: 0, tasks: 0, answered: 0, variances: 0, caseIds: [], refused: 0 };
  const loop = async () => {
    for (const night of plannerNights(sim)) {
      while (running() && clock.simOf(Date.now()) < night) await sleep(500);
      if (!running()) return;
      const label = new Date(night).toISOString().slice(0, 13);
      for (const site of sim.warehouse.sites) {
        try {
          const plan = await planner.plan(site.site, label);
          record.plans++;
          record.tasks += plan.tasks.length;
          record.refused += plan.result.refused.length;
          for (const task of plan.tasks) {
            const simNow = clock.simOf(Date.now());
            const counted = counterReading(sim.books.pointAt(site.site, task.location, task.sku, simNow).phys, crew.rate, crew.rng);
            // counted at the simulated instant, like the stream's events: the planner's next run
            // reads days since the last count, and its real clock sees three nights in minutes
            const res = await client.postCount({ taskId: task.taskId, countedQty: counted, countedBy: 'sim-count-crew', countedAt: new Date(simNow).toISOString() });
            record.answered++;
            if (res.caseId) {
              record.variances++;
              record.caseIds.push(res.caseId);
            }
          }
          log(`night ${label}: planned ${plan.result.planned} bins at ${site.site}, ${plan.tasks.length} counts, ${record.variances} variances so far`);
        } catch (err) {
          log(`night shift at ${site.site}: ${(err as Error).message}`);
        }
      }
    }
  };
  return { finished: loop(), record };
}
