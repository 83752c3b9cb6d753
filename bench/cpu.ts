import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Pool } from 'pg';
import { round } from './stats';

/**
 * Where the CPU went during a phase: the machine as a whole (/proc/stat), and each of the
 * bench's own processes (/proc/PID/stat), including the Postgres backends serving the scratch
 * database. On a shared 2-core machine the wall-clock rates move with everyone else's load;
 * CPU time per case does much less, so it is the figure to compare runs by.
 */
export interface CpuUse {
  wallMs: number;
  /** busy share of all cores over the phase, 0..1 (everyone's) */
  machineBusy: number;
  /** the bench's own processes' share of all cores, 0..1 */
  ours: number;
  /** other processes' share of all cores: the contention, 0..1 */
  others: number;
  /** CPU milliseconds used by each of the bench's process groups */
  cpuMs: Record<string, number>;
  loadAvg1mStart: number;
  loadAvg1mEnd: number;
}

export interface CpuProbe {
  stop(): Promise<CpuUse>;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const idle = cpu[3] + (cpu[4] ?? 0);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** utime + stime of a process (all its threads), in ticks; undefined once it is gone. */
export function processTicks(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces: fields after its closing parenthesis
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring. `groups` names fixed processes (a group's pids may change between
 * phases, not within one); `db` and `database` add the Postgres backends connected to the
 * scratch database, found again every second because pools open and close connections.
 */
export function startCpuProbe(groups: Record<string, number[]>, pg?: { db: Pool; database: string }): CpuProbe {
  const started = Date.now();
  const load0 = loadavg()[0];
  const m0 = machineTicks();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const groupOf = new Map<number, string>();
  const see = (pid: number, group: string) => {
    const t = processTicks(pid);
    if (t === undefined) return;
    // a backend first seen mid-phase counts from then: its earlier CPU is not the phase's to know
    if (!first.has(pid)) first.set(pid, t);
    last.set(pid, t);
    groupOf.set(pid, group);
  };
  for (const [name, pids] of Object.entries(groups)) for (const pid of pids) see(pid, name);

  const backends = async () => {
    if (!pg) return;
    const { rows } = await pg.db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [pg.database]);
    for (const { pid } of rows) see(pid, 'postgres');
  };
  let sampling = backends().catch(() => undefined);
  const timer = setInterval(() => {
    sampling = sampling.then(backends).catch(() => undefined);
    for (const pid of last.keys()) see(pid, groupOf.get(pid)!);
  }, 1000);

  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      for (const pid of last.keys()) see(pid, groupOf.get(pid)!);
      const m1 = machineTicks();
      const cpuMs: Record<string, number> = Object.fromEntries(Object.keys(groups).map((g) => [g, 0]));
      if (pg) cpuMs.postgres = 0;
      for (const [pid, t] of last) {
        const g = groupOf.get(pid)!;
        cpuMs[g] = (cpuMs[g] ?? 0) + (t - first.get(pid)!) * TICK_MS;
      }
      const totalTicks = Math.max(m1.total - m0.total, 1);
      const ourTicks = Object.values(cpuMs).reduce((a, b) => a + b, 0) / TICK_MS;
      const busy = (m1.busy - m0.busy) / totalTicks;
      const ours = Math.min(ourTicks / totalTicks, busy);
      return {
        wallMs: Date.now() - started,
        machineBusy: round(busy, 3),
        ours: round(ours, 3),
        others: round(Math.max(busy - ours, 0), 3),
        cpuMs,
        loadAvg1mStart: round(load0, 2),
        loadAvg1mEnd: round(loadavg()[0], 2),
      };
    },
  };
}

/** CPU milliseconds per unit of work, by group, and their total. */
export function perUnit(use: CpuUse, units: number): Record<string, number> {
  const out: Record<string, number> = {};
  let total = 0;
  for (const [g, ms] of Object.entries(use.cpuMs)) {
    out[g] = round(ms / units, 2);
    total += ms;
  }
  out.total = round(total / units, 2);
  return out;
}

/** Rounds of one side pooled: their counts, wall time and CPU by process group summed. */
export function pooled(rounds: { count: number; elapsedMs: number; cpu: CpuUse }[]): { count: number; elapsedMs: number; cpu: CpuUse } {
  const cpuMs: Record<string, number> = {};
  for (const r of rounds) for (const [g, ms] of Object.entries(r.cpu.cpuMs)) cpuMs[g] = (cpuMs[g] ?? 0) + ms;
  return { count: rounds.reduce((a, r) => a + r.count, 0), elapsedMs: rounds.reduce((a, r) => a + r.elapsedMs, 0), cpu: { ...rounds[0].cpu, cpuMs } };
}
