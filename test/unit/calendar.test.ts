import {
  KNOWN_TIME_ZONES,
  SlaCalendarSchema,
  addWorkingTime,
  formatLocal,
  isWorking,
  parseLocal,
  utcOffsetAt,
  workingTimeBetween,
  type SlaCalendar,
  type SlaCalendarInput,
} from '../../src/domain';

const H = 3_600_000;
const OFFICE: [string, string][] = [['08:00', '17:00']];
const weekdays = { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE };
const calendar = (input: SlaCalendarInput): SlaCalendar => SlaCalendarSchema.parse(input);

const berlin = calendar({ timeZone: 'Europe/Berlin', hours: weekdays });
const newYork = calendar({ timeZone: 'America/New_York', hours: weekdays });

/** the deadline of `hours` of working time from a local start, in local time and as UTC */
function deadline(cal: SlaCalendar, localStart: string, hours: number) {
  const end = addWorkingTime(parseLocal(localStart, cal), hours * H, cal);
  return { local: formatLocal(end, cal), utc: new Date(end).toISOString() };
}

describe('a Monday-to-Friday 08:00-17:00 site', () => {
  it('a 4-hour SLA set on Friday at 17:00 breaches on Monday at 12:00, not on Friday night', () => {
    expect(deadline(berlin, '2026-12-04 17:00', 4)).toEqual({ local: '2026-12-07 12:00 Europe/Berlin', utc: '2026-12-07T11:00:00.000Z' });
    expect(deadline(newYork, '2026-12-04 17:00', 4)).toEqual({ local: '2026-12-07 12:00 America/New_York', utc: '2026-12-07T17:00:00.000Z' });
  });

  it('counts what is left of Friday, and a case set on Saturday starts counting on Monday morning', () => {
    expect(deadline(berlin, '2026-12-04 15:00', 4).local).toBe('2026-12-07 10:00 Europe/Berlin');
    expect(deadline(berlin, '2026-12-05 11:00', 4).local).toBe('2026-12-07 12:00 Europe/Berlin');
    expect(deadline(berlin, '2026-12-07 06:30', 1).local).toBe('2026-12-07 09:00 Europe/Berlin');
  });

  it('a deadline that falls exactly at closing time stays on that day', () => {
    expect(deadline(berlin, '2026-12-04 13:00', 4).local).toBe('2026-12-04 17:00 Europe/Berlin');
  });

  it('a 2-day (18 working hours) SLA from Wednesday noon ends on Friday noon', () => {
    expect(deadline(berlin, '2026-12-02 12:00', 18).local).toBe('2026-12-04 12:00 Europe/Berlin');
  });

  it('measures working time between two instants, negative when they come in reverse order', () => {
    const fri = parseLocal('2026-12-04 16:00', berlin);
    const mon = parseLocal('2026-12-07 09:30', berlin);
    expect(workingTimeBetween(fri, mon, berlin)).toBe(2.5 * H);
    expect(workingTimeBetween(mon, fri, berlin)).toBe(-2.5 * H);
    expect(workingTimeBetween(fri, fri, berlin)).toBe(0);
  });

  it('is working from opening time up to, not including, closing time', () => {
    expect(isWorking(parseLocal('2026-12-07 07:59', berlin), berlin)).toBe(false);
    expect(isWorking(parseLocal('2026-12-07 08:00', berlin), berlin)).toBe(true);
    expect(isWorking(parseLocal('2026-12-07 16:59', berlin), berlin)).toBe(true);
    expect(isWorking(parseLocal('2026-12-07 17:00', berlin), berlin)).toBe(false);
    expect(isWorking(parseLocal('2026-12-05 10:00', berlin), berlin)).toBe(false);
  });

  it('a zero duration is due at once; a negative or endless one is refused', () => {
    const t = parseLocal('2026-12-05 10:00', berlin);
    expect(addWorkingTime(t, 0, berlin)).toBe(t);
    expect(() => addWorkingTime(t, -1, berlin)).toThrow(RangeError);
    expect(() => addWorkingTime(t, Number.POSITIVE_INFINITY, berlin)).toThrow(RangeError);
    expect(() => addWorkingTime(Number.NaN, H, berlin)).toThrow(RangeError);
  });

  it('formats an instant in the site time zone', () => {
    expect(formatLocal(Date.parse('2026-12-07T09:00:00Z'), berlin)).toBe('2026-12-07 10:00 Europe/Berlin');
    expect(formatLocal(Date.parse('2026-07-07T09:00:00Z'), berlin)).toBe('2026-07-07 11:00 Europe/Berlin');
  });
});

describe('holidays', () => {
  const christmas = calendar({ timeZone: 'Europe/Berlin', hours: weekdays, holidays: ['2026-12-24', '2026-12-25', '2026-12-31', '2027-01-01'] });
  const easter = calendar({ timeZone: 'Europe/Berlin', hours: weekdays, holidays: ['2026-04-03', '2026-04-06'] });

  it('skips a holiday as if it were a weekend day', () => {
    // Wednesday 23rd 15:00: 2h on Wednesday, then the 24th, the 25th and the weekend are off
    expect(deadline(christmas, '2026-12-23 15:00', 4).local).toBe('2026-12-28 10:00 Europe/Berlin');
    // a case set on a holiday starts counting on the next working day
    expect(deadline(christmas, '2026-12-31 09:00', 4).local).toBe('2027-01-04 12:00 Europe/Berlin');
  });

  it('skips Good Friday and Easter Monday around the weekend', () => {
    expect(deadline(easter, '2026-04-02 16:00', 4).local).toBe('2026-04-07 11:00 Europe/Berlin');
    expect(isWorking(parseLocal('2026-04-06 10:00', easter), easter)).toBe(false);
    expect(workingTimeBetween(parseLocal('2026-04-02 00:00', easter), parseLocal('2026-04-08 00:00', easter), easter)).toBe(18 * H);
  });
});

describe('daylight-saving changes', () => {
  const allWeek = { ...weekdays, sat: OFFICE, sun: [['00:00', '24:00']] as [string, string][] };
  const berlin7 = calendar({ timeZone: 'Europe/Berlin', hours: allWeek });
  const newYork7 = calendar({ timeZone: 'America/New_York', hours: allWeek });
  const sunday = (cal: SlaCalendar, date: string) => workingTimeBetween(parseLocal(`${date} 00:00`, cal), parseLocal(`${date} 23:59`, cal) + 60_000, cal);

  it('Europe/Berlin, spring forward on 2026-03-29: Friday 17:00 + 4h is Monday 12:00 summer time, 66 hours later', () => {
    const start = parseLocal('2026-03-27 17:00', berlin);
    expect(new Date(start).toISOString()).toBe('2026-03-27T16:00:00.000Z');
    expect(deadline(berlin, '2026-03-27 17:00', 4)).toEqual({ local: '2026-03-30 12:00 Europe/Berlin', utc: '2026-03-30T10:00:00.000Z' });
    expect(addWorkingTime(start, 4 * H, berlin) - start).toBe(66 * H);
  });

  it('Europe/Berlin, fall back on 2026-10-25: Friday 17:00 + 4h is Monday 12:00 winter time, 68 hours later', () => {
    expect(deadline(berlin, '2026-10-23 17:00', 4)).toEqual({ local: '2026-10-26 12:00 Europe/Berlin', utc: '2026-10-26T11:00:00.000Z' });
  });

  it('America/New_York, spring forward on 2026-03-08 and fall back on 2026-11-01', () => {
    expect(deadline(newYork, '2026-03-06 17:00', 4)).toEqual({ local: '2026-03-09 12:00 America/New_York', utc: '2026-03-09T16:00:00.000Z' });
    expect(deadline(newYork, '2026-10-30 17:00', 4)).toEqual({ local: '2026-11-02 12:00 America/New_York', utc: '2026-11-02T17:00:00.000Z' });
  });

  it('a site working all Sunday gets 23 working hours on the spring-forward Sunday and 25 on the fall-back one', () => {
    expect(sunday(berlin7, '2026-03-22')).toBe(24 * H);
    expect(sunday(berlin7, '2026-03-29')).toBe(23 * H);
    expect(sunday(berlin7, '2026-10-25')).toBe(25 * H);
    expect(sunday(newYork7, '2026-03-08')).toBe(23 * H);
    expect(sunday(newYork7, '2026-11-01')).toBe(25 * H);
    // Sunday 2026-03-29 00:00 + 12h of working time is 13:00 summer time (only 11 hours on the wall clock)
    expect(deadline(berlin7, '2026-03-29 00:00', 12).local).toBe('2026-03-29 13:00 Europe/Berlin');
    expect(deadline(berlin7, '2026-10-25 00:00', 12).local).toBe('2026-10-25 11:00 Europe/Berlin');
  });

  it('a time skipped by spring-forward reads one hour later; a repeated time reads as its first occurrence', () => {
    expect(new Date(parseLocal('2026-03-29 02:30', berlin)).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(formatLocal(parseLocal('2026-03-29 02:30', berlin), berlin)).toBe('2026-03-29 03:30 Europe/Berlin');
    expect(new Date(parseLocal('2026-10-25 02:30', berlin)).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(new Date(parseLocal('2026-03-08 02:30', newYork)).toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(new Date(parseLocal('2026-11-01 01:30', newYork)).toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('night shifts (an end at or before the start ends the next morning)', () => {
  const nights = calendar({
    timeZone: 'America/New_York',
    hours: { mon: [['22:00', '06:00']], tue: [['22:00', '06:00']], wed: [['22:00', '06:00']], thu: [['22:00', '06:00']], fri: [['22:00', '06:00']], sat: [['22:00', '06:00']] },
    holidays: ['2026-12-24'],
  });

  it('counts the end of a shift, then the next night', () => {
    expect(deadline(nights, '2026-12-08 03:00', 4).local).toBe('2026-12-08 23:00 America/New_York');
    expect(isWorking(parseLocal('2026-12-12 02:00', nights), nights)).toBe(true); // Friday's shift, Saturday morning
    expect(isWorking(parseLocal('2026-12-12 06:00', nights), nights)).toBe(false);
    expect(isWorking(parseLocal('2026-12-13 22:30', nights), nights)).toBe(false); // no shift on Sunday night
  });

  it('a shift belongs to the day it starts: the holiday eve shift runs, the holiday night does not', () => {
    expect(isWorking(parseLocal('2026-12-24 03:00', nights), nights)).toBe(true);
    expect(isWorking(parseLocal('2026-12-24 23:00', nights), nights)).toBe(false);
    expect(deadline(nights, '2026-12-24 05:00', 2).local).toBe('2026-12-25 23:00 America/New_York');
  });

  it('a night shift across a clock change lasts 7 hours in spring and 9 hours in autumn', () => {
    const night = (date: string, next: string) => workingTimeBetween(parseLocal(`${date} 12:00`, nights), parseLocal(`${next} 12:00`, nights), nights);
    expect(night('2026-03-07', '2026-03-08')).toBe(7 * H);
    expect(night('2026-10-31', '2026-11-01')).toBe(9 * H);
    expect(night('2026-03-14', '2026-03-15')).toBe(8 * H);
  });
});

describe('bounds and speed', () => {
  it('refuses a calendar with no working time at all instead of searching forever', () => {
    const idle = { ...berlin, hours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } };
    expect(() => addWorkingTime(0, H, idle)).toThrow(/no working time/);
    expect(() => workingTimeBetween(0, H, idle)).toThrow(/no working time/);
    expect(SlaCalendarSchema.safeParse({ timeZone: 'Europe/Berlin', hours: {} }).success).toBe(false);
  });

  it('walks working intervals, not minutes: a year of SLAs of up to 60 working days takes milliseconds each', () => {
    const holidays = Array.from({ length: 300 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i * 3)).toISOString().slice(0, 10));
    const cal = calendar({ timeZone: 'Europe/Berlin', hours: weekdays, holidays });
    const t0 = performance.now();
    let last = 0;
    for (let day = 0; day < 365; day++) {
      const start = Date.UTC(2026, 0, 1) + day * 86_400_000 + 37 * 60_000;
      last = addWorkingTime(start, ((day % 60) + 1) * 9 * H, cal);
      expect(workingTimeBetween(start, last, cal)).toBe(((day % 60) + 1) * 9 * H);
    }
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('SlaCalendarSchema', () => {
  it('fills the clock rule of a known zone, and an explicit rule wins', () => {
    expect(berlin).toMatchObject({ utcOffsetMinutes: 60, dst: 'eu', holidays: [], hours: { sat: [], sun: [] } });
    expect(newYork).toMatchObject({ utcOffsetMinutes: -300, dst: 'us' });
    expect(calendar({ timeZone: 'Europe/Berlin', utcOffsetMinutes: 60, dst: 'none', hours: weekdays }).dst).toBe('none');
    // the parsed calendar is what the policy stores: it parses again to itself
    expect(SlaCalendarSchema.parse(JSON.parse(JSON.stringify(berlin)))).toEqual(berlin);
  });

  it('asks for the rule of a zone it does not know', () => {
    const r = SlaCalendarSchema.safeParse({ timeZone: 'Asia/Kathmandu', hours: weekdays });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['utcOffsetMinutes']);
    expect(calendar({ timeZone: 'Asia/Kathmandu', utcOffsetMinutes: 345, dst: 'none', hours: weekdays }).utcOffsetMinutes).toBe(345);
  });

  it.each<[string, unknown, string]>([
    ['a time that is not HH:MM', { mon: [['8:00', '17:00']] }, 'hours.mon.0.0'],
    ['a minute past 59', { mon: [['08:00', '17:60']] }, 'hours.mon.0.1'],
    ['an interval that ends when it starts', { mon: [['08:00', '08:00']] }, 'hours.mon.0'],
    ['intervals out of order', { mon: [['13:00', '17:00'], ['08:00', '12:00']] }, 'hours.mon.1'],
    ['overlapping intervals', { mon: [['08:00', '12:30'], ['12:00', '17:00']] }, 'hours.mon.0'],
    ['a night shift running into the next morning', { mon: [['22:00', '06:00']], tue: [['05:00', '13:00']] }, 'hours.mon.0'],
    ["Sunday's night shift running into Monday", { mon: [['05:00', '13:00']], sun: [['22:00', '06:00']] }, 'hours.sun.0'],
    ['an unknown weekday', { mon: OFFICE, monday: OFFICE }, 'hours'],
  ])('refuses %s', (_, hours, path) => {
    const r = SlaCalendarSchema.safeParse({ timeZone: 'Europe/Berlin', hours });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('refuses bad holidays: not a date, a day that does not exist, twice the same, more than 400', () => {
    const paths = (holidays: unknown) => [
      ...new Set(SlaCalendarSchema.safeParse({ timeZone: 'Europe/Berlin', hours: weekdays, holidays }).error?.issues.map((i) => i.path.join('.'))),
    ];
    expect(paths(['24.12.2026'])).toEqual(['holidays.0']);
    expect(paths(['2026-02-29'])).toEqual(['holidays.0']);
    expect(paths(['2026-12-24', '2026-12-24'])).toEqual(['holidays']);
    expect(paths(Array.from({ length: 401 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10)))).toEqual(['holidays']);
  });

  it('refuses a time zone that is not an IANA name and an offset off the quarter hour', () => {
    expect(SlaCalendarSchema.safeParse({ timeZone: 'CET+1', hours: weekdays }).success).toBe(false);
    expect(SlaCalendarSchema.safeParse({ timeZone: 'Asia/Kathmandu', utcOffsetMinutes: 344, dst: 'none', hours: weekdays }).success).toBe(false);
  });
});

describe('the known zones table', () => {
  // Intl is the reference here, in a test only: the engine never consults it (docs/calendars.md)
  const intlOffset = (zone: string) => {
    const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    return (ms: number) => {
      const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
      return (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000) / 60_000;
    };
  };

  it.each(Object.keys(KNOWN_TIME_ZONES))('%s agrees with the tz database from 2024 to 2035, to the second at each change', (zone) => {
    const rule = KNOWN_TIME_ZONES[zone];
    const reference = intlOffset(zone);
    const mismatches: string[] = [];
    const compare = (t: number) => {
      if (utcOffsetAt(t, rule) !== reference(t)) mismatches.push(`${new Date(t).toISOString()}: table ${utcOffsetAt(t, rule)}, Intl ${reference(t)}`);
    };
    // weekly samples find a change the table misses; each change the table makes is checked to the second
    for (let t = Date.UTC(2024, 0, 1, 12); t < Date.UTC(2036, 0, 1); t += 7 * 86_400_000) compare(t);
    for (let year = 2024; year <= 2035 && rule.dst !== 'none'; year++) {
      for (const [from, to] of [[Date.UTC(year, 2, 1), Date.UTC(year, 3, 1)], [Date.UTC(year, 9, 1), Date.UTC(year, 11, 1)]]) {
        for (let t = from; t < to; t += H) if (utcOffsetAt(t - 1000, rule) !== utcOffsetAt(t, rule)) [t - 1000, t].forEach(compare);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
