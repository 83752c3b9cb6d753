import fc from 'fast-check';
import { SlaCalendarSchema, WEEKDAYS, addWorkingTime, isWorking, workingTimeBetween, type SlaCalendar, type Weekday } from '../../src/domain';

const H = 3_600_000;
const DAY = 86_400_000;
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/**
 * Calendars the schema accepts: per weekday up to two day intervals between 03:00 and 22:00 and
 * perhaps a night shift from 22:00 or later to at most 01:00 or exactly 03:00. No boundary lies
 * strictly between 01:00 and 03:00, where clocks change in these zones: there a wall-clock reading
 * (the Intl oracle below) and the calendar's "first occurrence" reading may differ by design.
 */
const dayHours = fc
  .record({
    points: fc.uniqueArray(fc.integer({ min: 12, max: 88 }), { minLength: 0, maxLength: 4 }),
    night: fc.option(fc.tuple(fc.integer({ min: 88, max: 95 }), fc.constantFrom(0, 15, 30, 60, 180)), { nil: undefined }),
  })
  .map(({ points, night }) => {
    const q = points.sort((a, b) => a - b).map((p) => p * 15);
    const intervals: [string, string][] = [];
    for (let i = 0; i + 1 < q.length; i += 2) intervals.push([hhmm(q[i]), hhmm(q[i + 1])]);
    if (night) intervals.push([hhmm(night[0] * 15), hhmm(night[1])]);
    return intervals;
  });

const ZONES = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Kolkata', 'UTC'] as const;
const Y2026 = Date.UTC(2026, 0, 1);

const calendar: fc.Arbitrary<SlaCalendar> = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    hours: fc.tuple(...WEEKDAYS.map(() => dayHours)).map((days) => Object.fromEntries(WEEKDAYS.map((d, i) => [d, days[i]])) as Record<Weekday, [string, string][]>),
    holidays: fc.uniqueArray(fc.integer({ min: -10, max: 400 }).map((d) => new Date(Y2026 + d * DAY).toISOString().slice(0, 10)), { maxLength: 40 }),
  })
  .filter((c) => WEEKDAYS.some((d) => c.hours[d].length > 0))
  .map((c) => SlaCalendarSchema.parse(c));

/** any millisecond of 2026, or one within four days or within hours of a clock change in these zones */
const CHANGES = ['2026-03-08T07:00Z', '2026-03-08T10:00Z', '2026-03-29T01:00Z', '2026-10-25T01:00Z', '2026-11-01T06:00Z', '2026-11-01T09:00Z'].map(Date.parse);
const instant = fc.oneof(
  fc.integer({ min: Y2026, max: Y2026 + 365 * DAY }),
  fc.tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -4 * DAY, max: 4 * DAY })).map(([c, d]) => c + d),
  fc.tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -4 * H, max: 4 * H })).map(([c, d]) => c + d),
);
/** working durations from nothing to about ten 9-hour days, in whole minutes or any millisecond */
const duration = fc.oneof(fc.integer({ min: 0, max: 90 * 60 }).map((m) => m * 60_000), fc.integer({ min: 0, max: 90 * H }));

describe('addWorkingTime and workingTimeBetween', () => {
  it('is monotonic in the duration', () => {
    fc.assert(
      fc.property(calendar, instant, duration, duration, (cal, start, a, b) => {
        const [short, long] = a <= b ? [a, b] : [b, a];
        expect(addWorkingTime(start, short, cal)).toBeLessThanOrEqual(addWorkingTime(start, long, cal));
      }),
    );
  });

  it('adds up: a then b of working time is a + b of working time', () => {
    fc.assert(
      fc.property(calendar, instant, duration, duration, (cal, start, a, b) => {
        expect(addWorkingTime(addWorkingTime(start, a, cal), b, cal)).toBe(addWorkingTime(start, a + b, cal));
      }),
    );
  });

  it('measures back exactly the working time it added, never more than the wall-clock time', () => {
    fc.assert(
      fc.property(calendar, instant, duration, (cal, start, d) => {
        const end = addWorkingTime(start, d, cal);
        expect(workingTimeBetween(start, end, cal)).toBe(d);
        expect(end - start).toBeGreaterThanOrEqual(d);
      }),
    );
  });

  it('ends the deadline in working time (or at the end of a working interval), never in a gap', () => {
    fc.assert(
      fc.property(calendar, instant, duration.filter((d) => d > 0), (cal, start, d) => {
        const end = addWorkingTime(start, d, cal);
        // the last millisecond before the deadline was worked
        expect(isWorking(end - 1, cal)).toBe(true);
      }),
    );
  });

  it('workingTimeBetween adds up over consecutive spans and is antisymmetric', () => {
    fc.assert(
      fc.property(calendar, instant, instant, instant, (cal, x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p - q);
        expect(workingTimeBetween(a, b, cal) + workingTimeBetween(b, c, cal)).toBe(workingTimeBetween(a, c, cal));
        expect(workingTimeBetween(c, a, cal)).toBe(-workingTimeBetween(a, c, cal));
        expect(workingTimeBetween(a, c, cal)).toBeLessThanOrEqual(c - a);
      }),
    );
  });
});

describe('isWorking', () => {
  // an independent reading of the calendar: the wall clock from Intl's tz database, minute by minute
  const formatters = new Map<string, Intl.DateTimeFormat>(
    ZONES.map((z) => [z, new Intl.DateTimeFormat('en-US', { timeZone: z, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })]),
  );
  function wallClock(ms: number, zone: string) {
    const p = Object.fromEntries(formatters.get(zone)!.formatToParts(ms).map((x) => [x.type, x.value]));
    const date = `${p.year}-${p.month}-${p.day}`;
    return { date, minute: Number(p.hour) * 60 + Number(p.minute) };
  }
  const weekdayOf = (date: string) => WEEKDAYS[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7];
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  function oracle(ms: number, cal: SlaCalendar) {
    const { date, minute } = wallClock(ms, cal.timeZone);
    const yesterday = new Date(Date.parse(`${date}T00:00:00Z`) - DAY).toISOString().slice(0, 10);
    const today = !cal.holidays.includes(date) && cal.hours[weekdayOf(date)].some(([s, e]) => minute >= minutes(s) && (minutes(e) <= minutes(s) || minute < minutes(e)));
    const lastNight = !cal.holidays.includes(yesterday) && cal.hours[weekdayOf(yesterday)].some(([s, e]) => minutes(e) <= minutes(s) && minute < minutes(e));
    return today || lastNight;
  }

  it("agrees with a wall-clock reading of the site's hours in its time zone (Intl), across clock changes", () => {
    fc.assert(
      fc.property(calendar, instant, (cal, t) => {
        const minute = Math.floor(t / 60_000) * 60_000;
        expect(isWorking(minute, cal)).toBe(oracle(minute, cal));
      }),
      { numRuns: 1000 },
    );
  });

  it('is what a millisecond of working time says', () => {
    fc.assert(
      fc.property(calendar, instant, (cal, t) => {
        expect(isWorking(t, cal)).toBe(workingTimeBetween(t, t + 1, cal) === 1);
      }),
    );
  });
});
