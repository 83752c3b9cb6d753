/**
 * Business-hours SLA calendars: working time per site, computed in workflow code.
 *
 * Determinism: the calendar carries its own clock rule (a standard UTC offset and a summer-time
 * rule, 'eu' | 'us' | 'none') instead of asking Intl for the zone. Intl's tz database comes with the
 * worker's Node/ICU build, so a replay on another worker could move a deadline and fail the
 * replay; the pinned numbers cannot. The zod schema (calendar-schema.ts, outside the workflow
 * bundle) fills the rule from a table of known zones when the policy leaves it out.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Summer-time rules: EU (last Sunday of March to last Sunday of October, at 01:00 UTC), US (since 2007). */
export const DST_RULES = ['none', 'eu', 'us'] as const;
export type DstRule = (typeof DST_RULES)[number];

/** A working interval in local wall time, 'HH:MM'; an end at or before the start ends the next day (a night shift). */
export type WorkingInterval = readonly [start: string, end: string];

export interface SlaCalendar {
  /** IANA name, shown with local times; the clock itself comes from the two fields below */
  timeZone: string;
  /** standard (winter) offset from UTC, e.g. 60 for Europe/Berlin, -300 for America/New_York */
  utcOffsetMinutes: number;
  dst: DstRule;
  hours: Readonly<Record<Weekday, readonly WorkingInterval[]>>;
  /** local dates 'YYYY-MM-DD'; an interval is skipped when the day it starts on is a holiday */
  holidays: readonly string[];
}

const MIN = 60_000;
const DAY = 86_400_000;
/** the longest stretch searched for working time: 20 years of calendar days */
const MAX_DAYS = 7305;

// ---- the clock: UTC offset at an instant, local wall time to an instant ----

/** day number (days since 1970-01-01) of a civil date; months 1-12 */
const dayOf = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / DAY;
/** 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday) */
const weekdayOf = (day: number) => (((day + 3) % 7) + 7) % 7;
const lastSunday = (y: number, m: number) => {
  const last = dayOf(y, m + 1, 0);
  return last - ((weekdayOf(last) + 1) % 7);
};
const nthSunday = (y: number, m: number, n: number) => {
  const first = dayOf(y, m, 1);
  return first + ((6 - weekdayOf(first) + 7) % 7) + 7 * (n - 1);
};

/** [start, end) of summer time in a year, as UTC instants */
function summerTime(year: number, rule: DstRule, std: number): [number, number] | null {
  if (rule === 'eu') return [lastSunday(year, 3) * DAY + 60 * MIN, lastSunday(year, 10) * DAY + 60 * MIN];
  if (rule === 'us') {
    // 02:00 local standard time in March, 02:00 local summer time in November
    return [nthSunday(year, 3, 2) * DAY + (120 - std) * MIN, nthSunday(year, 11, 1) * DAY + (120 - std - 60) * MIN];
  }
  return null;
}

/** The calendar's offset from UTC in minutes at an instant. */
export function utcOffsetAt(ms: number, cal: Pick<SlaCalendar, 'utcOffsetMinutes' | 'dst'>): number {
  const std = cal.utcOffsetMinutes;
  const span = summerTime(new Date(ms + std * MIN).getUTCFullYear(), cal.dst, std);
  return span && ms >= span[0] && ms < span[1] ? std + 60 : std;
}

/**
 * The instant of a local wall time (ms since the epoch, read as if local were UTC). A time skipped
 * by spring-forward is read with the offset before the change (02:30 → 03:30), a repeated time as
 * its first occurrence: the usual "compatible" reading, so a shift keeps its real length.
 */
function instantOf(localMs: number, cal: SlaCalendar): number {
  const std = cal.utcOffsetMinutes;
  if (cal.dst === 'none') return localMs - std * MIN;
  const asSummer = localMs - (std + 60) * MIN;
  if (utcOffsetAt(asSummer, cal) === std + 60) return asSummer;
  return localMs - std * MIN;
}

// ---- the working intervals, in order, as instants ----

interface Compiled {
  /** per weekday (0 = Monday), [start, end) in minutes after local midnight; end may pass 1440 */
  days: [number, number][][];
  holidays: Set<number>;
}

const compiledCache = new WeakMap<SlaCalendar, Compiled>();

function minutesOf(hhmm: string): number {
  const m = /^(\d\d):(\d\d)$/.exec(hhmm);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!(minutes >= 0 && minutes <= 1440) || Number(m?.[2]) > 59) throw new RangeError(`not a time of day: ${hhmm}`);
  return minutes;
}

function compile(cal: SlaCalendar): Compiled {
  const cached = compiledCache.get(cal);
  if (cached) return cached;
  const days = WEEKDAYS.map((d) =>
    (cal.hours[d] ?? [])
      .map(([s, e]): [number, number] => {
        const start = minutesOf(s);
        const end = minutesOf(e);
        return [start, end <= start ? end + 1440 : end];
      })
      .sort((a, b) => a[0] - b[0]),
  );
  // bounded: without any working time in a week, no deadline exists
  if (!days.some((d) => d.some(([s, e]) => e > s))) throw new RangeError(`calendar ${cal.timeZone} has no working time`);
  const holidays = new Set<number>();
  for (const h of cal.holidays) {
    const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(h);
    if (!m) throw new RangeError(`not a date: ${h}`);
    holidays.add(dayOf(Number(m[1]), Number(m[2]), Number(m[3])));
  }
  const compiled = { days, holidays };
  compiledCache.set(cal, compiled);
  return compiled;
}

/**
 * The working intervals that end after `fromMs`, as [start, end) instants in time order, the first
 * clipped to `fromMs`. Overlapping intervals (a night shift running into the next day's) are
 * clipped so no instant counts twice.
 */
function* workingIntervals(fromMs: number, cal: SlaCalendar): Generator<[number, number]> {
  const { days, holidays } = compile(cal);
  // start the day before: its night shift may still be running
  const firstDay = Math.floor((fromMs + utcOffsetAt(fromMs, cal) * MIN) / DAY) - 1;
  let cursor = fromMs;
  for (let day = firstDay; day <= firstDay + MAX_DAYS; day++) {
    if (holidays.has(day)) continue;
    for (const [s, e] of days[weekdayOf(day)]) {
      const start = Math.max(instantOf(day * DAY + s * MIN, cal), cursor);
      const end = instantOf(day * DAY + e * MIN, cal);
      if (end > start) {
        yield [start, end];
        cursor = end;
      }
    }
  }
  throw new RangeError(`calendar ${cal.timeZone}: no working time within ${MAX_DAYS} days of ${formatLocal(fromMs, cal)}`);
}

function checkInstant(ms: number, what: string) {
  if (!Number.isFinite(ms)) throw new RangeError(`${what} is not a finite instant: ${ms}`);
}

// ---- the API ----

/**
 * The instant at which `durationMs` of working time has elapsed from `startMs`. When the time runs
 * out exactly at the end of an interval, that end is the answer (Friday 17:00, not Monday 08:00).
 */
export function addWorkingTime(startMs: number, durationMs: number, cal: SlaCalendar): number {
  checkInstant(startMs, 'start');
  if (!(durationMs >= 0) || !Number.isFinite(durationMs)) throw new RangeError(`not a working duration: ${durationMs}`);
  compile(cal);
  if (durationMs === 0) return startMs;
  let left = durationMs;
  for (const [start, end] of workingIntervals(startMs, cal)) {
    if (end - start >= left) return start + left;
    left -= end - start;
  }
  throw new Error('unreachable: workingIntervals ends by throwing');
}

/** Working time from `aMs` to `bMs`; negative when `bMs` is before `aMs`. */
export function workingTimeBetween(aMs: number, bMs: number, cal: SlaCalendar): number {
  checkInstant(aMs, 'from');
  checkInstant(bMs, 'to');
  if (bMs < aMs) return -workingTimeBetween(bMs, aMs, cal);
  compile(cal);
  let total = 0;
  if (bMs === aMs) return 0;
  for (const [start, end] of workingIntervals(aMs, cal)) {
    if (start >= bMs) break;
    total += Math.min(end, bMs) - start;
    if (end >= bMs) break;
  }
  return total;
}

/** Whether the instant falls in working time (an interval includes its start, not its end). */
export function isWorking(ms: number, cal: SlaCalendar): boolean {
  checkInstant(ms, 'instant');
  for (const [start] of workingIntervals(ms, cal)) return start === ms;
  return false;
}

/** Local date and time of an instant as 'YYYY-MM-DD HH:MM', without the zone. */
export function localDateTime(ms: number, cal: Pick<SlaCalendar, 'utcOffsetMinutes' | 'dst'>): string {
  return new Date(ms + utcOffsetAt(ms, cal) * MIN).toISOString().slice(0, 16).replace('T', ' ');
}

/** An instant in the site's local time for people: '2026-12-07 10:00 Europe/Berlin'. */
export function formatLocal(ms: number, cal: SlaCalendar): string {
  return `${localDateTime(ms, cal)} ${cal.timeZone}`;
}

/**
 * The instant of a local 'YYYY-MM-DD HH:MM' (or 'YYYY-MM-DDTHH:MM') at the calendar's site; a
 * time skipped by spring-forward reads as one hour later, a repeated time as its first occurrence.
 */
export function parseLocal(text: string, cal: SlaCalendar): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)$/.exec(text);
  if (!m) throw new RangeError(`not a local date and time: ${text}`);
  return instantOf(dayOf(Number(m[1]), Number(m[2]), Number(m[3])) * DAY + (Number(m[4]) * 60 + Number(m[5])) * MIN, cal);
}
