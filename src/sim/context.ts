import type { InventoryEventInput } from '../domain';
import { Books } from './books';
import { FAULT_KINDS, type FaultKind, type InjectedFault } from './faults';
import { Prng } from './prng';
import { buildWarehouse, shiftAt, type Role, type SimSite, type SimUser, type Warehouse, type WarehouseShape } from './warehouse';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/**
 * The simulated durations of the policy's watcher windows. The driver divides them by the
 * speed-up to get the real durations the policy for the run carries, so a deadline means the
 * same in both clocks. The generator keeps normal flows inside them and faults outside.
 */
export const SIM_WINDOWS = {
  transferGrace: 4 * HOUR,
  returnDue: 8 * HOUR,
  receivingDueAfter: 8 * HOUR,
  mismatchSettle: 12 * HOUR,
  recountTimeout: 24 * HOUR,
} as const;

/**
 * The benign look-alikes of a run's default stream: the day's counters miscount some cycle
 * counts (a recount finds the system right), pickers now and then report a line short at a bin
 * that holds it. Cases they open match no fault: the false alarms a site lives with. (The
 * night crew's planned counts stay exact by default: docs/simulator.md says why.)
 */
export const DEFAULT_NOISE = { miscountRate: 0.03, cantFindRate: 0.005 } as const;

/** One generated event: when it happens in simulated time, and the canonical event. */
export interface SimEvent {
  at: number;
  event: InventoryEventInput;
  /** attributes that are instants (deadlines' inputs): simulated ms, mapped to real time when posted */
  realTimes?: Record<string, number>;
  /** a redelivery of an event already sent (same source and id): must change nothing */
  redelivery?: boolean;
}

export interface GeneratorOptions {
  seed: number;
  days: number;
  /** simulated start, ms since epoch (midnight UTC) */
  start: number;
  shape: WarehouseShape;
  /** faults of each kind per site and simulated day (pilfering: one user per site) */
  faultsPerSiteDay: number;
  /** share of cycle counts a counter gets wrong by 3–8 units (benign: a recount settles it); 0 by default */
  miscountRate?: number;
  /** share of picks where the picker cannot find stock that is there and reports the line short (benign); 0 by default */
  cantFindRate?: number;
}

/** How long before the end of the run a fault of each kind must start for its effect to become due. */
const SAFE_BEFORE_END: Record<FaultKind, number> = {
  short_carton: 11 * HOUR,
  duplicate_delivery: 2 * HOUR,
  mis_slot: 20 * HOUR,
  mis_scan: 2 * HOUR,
  expired_lot: 2 * HOUR,
  sync_lag: 14 * HOUR,
  late_transfer: 14 * HOUR,
  unposted_return: 10 * HOUR,
  pilfering_user: 2 * HOUR,
};

interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

interface UserState {
  user: SimUser;
  lastAt: number;
  lastZone?: string;
}

/** Travel the simulated people respect: the engine's mis_scan rule flags less than 60 s between zones. */
const SAME_ZONE_GAP = 15_000;
const OTHER_ZONE_GAP = 90_000;

/**
 * The generator's state and services: the clock (a time-ordered agenda of actions), the
 * books, the people and their travel, the fault plan, and the emitted events and faults.
 */
export class SimContext {
  readonly rng: Prng;
  readonly warehouse: Warehouse;
  readonly books = new Books();
  readonly events: SimEvent[] = [];
  readonly faults: InjectedFault[] = [];
  readonly end: number;
  /** bins a fault has made untrustworthy (normal flows that would hide the fault avoid them) */
  readonly tainted = new Set<string>();
  /** lots received so far (lot ids and expiry dates follow it) */
  lotSeq = 0;
  /** miscounts draw from their own stream, so a run without them is the same run as before */
  readonly miscountRng: Prng;
  /** pickers who cannot find stock draw from their own stream too */
  readonly cantFindRng: Prng;
  private readonly agenda: Scheduled[] = [];
  private seq = 0;
  private eventSeq = 0;
  private readonly users = new Map<string, UserState>();
  private readonly plan = new Map<string, number[]>();

  constructor(readonly opts: GeneratorOptions) {
    this.rng = new Prng(opts.seed);
    this.miscountRng = new Prng((opts.seed ^ 0x5bd1e995) >>> 0);
    this.cantFindRng = new Prng((opts.seed ^ 0x27d4eb2f) >>> 0);
    this.warehouse = buildWarehouse(this.rng.fork('warehouse'), opts.shape);
    this.end = opts.start + opts.days * DAY;
    for (const s of this.warehouse.sites) for (const u of s.users) this.users.set(u.userId, { user: u, lastAt: -Infinity });
    this.planFaults();
  }

  /** Fault targets: for each site, day and kind, instants in the working day; the next chance after each takes it. */
  private planFaults(): void {
    const rng = this.rng.fork('fault-plan');
    for (const site of this.warehouse.sites) {
      for (const kind of FAULT_KINDS) {
        if (kind === 'pilfering_user') continue;
        const times: number[] = [];
        for (let d = 0; d < this.opts.days; d++) {
          for (let i = 0; i < this.opts.faultsPerSiteDay; i++) times.push(this.opts.start + d * DAY + rng.range(6.5 * HOUR, 18 * HOUR));
        }
        this.plan.set(`${site.site}|${kind}`, times.sort((a, b) => a - b));
      }
    }
  }

  /** Whether a fault of this kind is due at this chance (and takes it). */
  takeFault(site: string, kind: FaultKind, at: number): boolean {
    if (at > this.end - SAFE_BEFORE_END[kind]) return false;
    const times = this.plan.get(`${site}|${kind}`);
    if (!times || times.length === 0 || times[0] > at) return false;
    times.shift();
    return true;
  }

  latestFor(kind: FaultKind): number {
    return this.end - SAFE_BEFORE_END[kind];
  }

  schedule(at: number, run: () => void): void {
    const item = { at, seq: this.seq++, run };
    const a = this.agenda;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(a[p], a[i])) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  /** Runs the agenda in time order until it is empty or past the end. */
  runUntilEnd(): void {
    const a = this.agenda;
    while (a.length > 0) {
      const top = a[0];
      const last = a.pop()!;
      if (a.length > 0) {
        a[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < a.length && before(a[l], a[m])) m = l;
          if (r < a.length && before(a[r], a[m])) m = r;
          if (m === i) break;
          [a[m], a[i]] = [a[i], a[m]];
          i = m;
        }
      }
      if (top.at >= this.end) continue;
      top.run();
    }
  }

  nextEventId(site: string): string {
    this.eventSeq++;
    return `${site}-E${String(this.eventSeq).padStart(6, '0')}`;
  }

  /** Emits an event at `at` with the sku's master data; returns its id. */
  emit(at: number, e: Omit<InventoryEventInput, 'eventId' | 'occurredAt' | 'source'> & { source?: string }, realTimes?: Record<string, number>): string {
    const eventId = this.nextEventId(e.site);
    const item = e.sku ? this.warehouse.bySku.get(e.sku) : undefined;
    const attributes = { ...(item ? { unitCost: item.unitCost, skuClass: item.skuClass } : {}), ...(e.attributes ?? {}) };
    const event = { eventId, source: 'wms', occurredAt: new Date(at).toISOString(), ...e, attributes } as InventoryEventInput;
    this.events.push({ at, event, realTimes });
    return eventId;
  }

  /**
   * Does `work` as a person of the role on shift at `at`, in `zone`: at once when they can be
   * there, else re-tried when the soonest of them can (people walk; nobody works at night).
   */
  withUser(site: SimSite, role: Role, zone: string, at: number, work: (u: SimUser, at: number) => void): void {
    const shift = shiftAt(new Date(at).getUTCHours());
    if (!shift) {
      this.schedule(nextShiftStart(at), () => this.withUser(site, role, zone, nextShiftStart(at), work));
      return;
    }
    const candidates = site.users.filter((u) => u.role === role && u.shift === shift).map((u) => this.users.get(u.userId)!);
    let best = candidates[0];
    let bestAt = Infinity;
    for (const c of candidates) {
      const free = Math.max(at, c.lastAt + (c.lastZone !== undefined && c.lastZone !== zone ? OTHER_ZONE_GAP : SAME_ZONE_GAP));
      if (free < bestAt) {
        best = c;
        bestAt = free;
      }
    }
    if (bestAt > at) {
      this.schedule(bestAt, () => this.withUser(site, role, zone, bestAt, work));
      return;
    }
    best.lastAt = at;
    best.lastZone = zone;
    work(best.user, at);
  }

  /** Marks that `user` scanned in `zone` at `at` (several scans in one piece of work). */
  scanned(userId: string, zone: string, at: number): void {
    const s = this.users.get(userId)!;
    s.lastAt = Math.max(s.lastAt, at);
    s.lastZone = zone;
  }

  userState(userId: string): { lastAt: number; lastZone?: string } {
    return this.users.get(userId)!;
  }

  addFault(f: Omit<InjectedFault, 'id'>): InjectedFault {
    const fault = { id: `F${String(this.faults.length + 1).padStart(3, '0')}-${f.kind}`, ...f };
    this.faults.push(fault);
    return fault;
  }
}

function before(x: Scheduled, y: Scheduled): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

/** The next shift start (06:00 UTC, or 14:00 between shifts — there is no gap) after a night instant. */
export function nextShiftStart(at: number): number {
  const d = new Date(at);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const six = midnight + 6 * HOUR;
  return at < six ? six : six + DAY;
}

export const zoneOfBin = (bin: string) => bin.split('-')[0];
