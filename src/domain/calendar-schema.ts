import { z } from 'zod';
import { DST_RULES, WEEKDAYS, type DstRule, type SlaCalendar } from './calendar';

/**
 * The clock rules of the zones a site is likely to be in, so a policy may name just the zone. The
 * schema writes the rule into the calendar, and the pinned policy carries it: the workflow never
 * looks a zone up (calendar.ts says why). test/unit/calendar.test.ts checks it against Intl.
 */
export const KNOWN_TIME_ZONES: Readonly<Record<string, { utcOffsetMinutes: number; dst: DstRule }>> = {
  UTC: { utcOffsetMinutes: 0, dst: 'none' },
  'Europe/London': { utcOffsetMinutes: 0, dst: 'eu' },
  'Europe/Dublin': { utcOffsetMinutes: 0, dst: 'eu' },
  'Europe/Lisbon': { utcOffsetMinutes: 0, dst: 'eu' },
  ...Object.fromEntries(
    ['Amsterdam', 'Berlin', 'Brussels', 'Budapest', 'Copenhagen', 'Luxembourg', 'Madrid', 'Oslo', 'Paris', 'Prague', 'Rome', 'Stockholm', 'Vienna', 'Warsaw', 'Zurich'].map(
      (city) => [`Europe/${city}`, { utcOffsetMinutes: 60, dst: 'eu' as const }],
    ),
  ),
  ...Object.fromEntries(
    ['Athens', 'Bucharest', 'Helsinki', 'Riga', 'Sofia', 'Tallinn', 'Vilnius'].map((city) => [`Europe/${city}`, { utcOffsetMinutes: 120, dst: 'eu' as const }]),
  ),
  'America/New_York': { utcOffsetMinutes: -300, dst: 'us' },
  'America/Toronto': { utcOffsetMinutes: -300, dst: 'us' },
  'America/Detroit': { utcOffsetMinutes: -300, dst: 'us' },
  'America/Chicago': { utcOffsetMinutes: -360, dst: 'us' },
  'America/Denver': { utcOffsetMinutes: -420, dst: 'us' },
  'America/Phoenix': { utcOffsetMinutes: -420, dst: 'none' },
  'America/Los_Angeles': { utcOffsetMinutes: -480, dst: 'us' },
  'America/Vancouver': { utcOffsetMinutes: -480, dst: 'us' },
  'America/Anchorage': { utcOffsetMinutes: -540, dst: 'us' },
  'Pacific/Honolulu': { utcOffsetMinutes: -600, dst: 'none' },
  'America/Mexico_City': { utcOffsetMinutes: -360, dst: 'none' },
  'America/Sao_Paulo': { utcOffsetMinutes: -180, dst: 'none' },
  'Asia/Dubai': { utcOffsetMinutes: 240, dst: 'none' },
  'Asia/Kolkata': { utcOffsetMinutes: 330, dst: 'none' },
  'Asia/Singapore': { utcOffsetMinutes: 480, dst: 'none' },
  'Asia/Shanghai': { utcOffsetMinutes: 480, dst: 'none' },
  'Asia/Tokyo': { utcOffsetMinutes: 540, dst: 'none' },
  'Australia/Brisbane': { utcOffsetMinutes: 600, dst: 'none' },
};

const MAX_HOLIDAYS = 400;
const WEEK = 7 * 1440;

const TimeOfDay = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, "a time of day 'HH:MM' (00:00 to 24:00)");
const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

const Interval = z
  .tuple([TimeOfDay, TimeOfDay])
  .refine(([s]) => s !== '24:00', 'an interval cannot start at 24:00')
  .refine(([s, e]) => minutes(s) !== minutes(e), 'an interval must not end when it starts');

const LocalDate = z
  .string()
  .regex(/^\d{4}-\d\d-\d\d$/, "a date 'YYYY-MM-DD'")
  // zod runs this even when the pattern failed: Date.parse of a bad string is NaN, refused
  .refine((d) => {
    const ms = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === d;
  }, 'not a calendar date');

const Hours = z
  .object(Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(Interval).max(8).default([])])) as Record<(typeof WEEKDAYS)[number], z.ZodDefault<z.ZodArray<typeof Interval>>>)
  .strict()
  .superRefine((hours, ctx) => {
    // each interval as [start, end) minutes of the week, a night shift running into the next day
    const spans = WEEKDAYS.flatMap((day, i) =>
      hours[day].map(([s, e], j) => {
        const start = i * 1440 + minutes(s);
        const end = i * 1440 + minutes(e) + (minutes(e) <= minutes(s) ? 1440 : 0);
        return { start, end, path: [day, j] };
      }),
    );
    for (const day of WEEKDAYS) {
      hours[day].forEach(([s], j) => {
        if (j > 0 && minutes(s) <= minutes(hours[day][j - 1][0])) ctx.addIssue({ code: 'custom', message: 'list a day\'s intervals from the earliest', path: [day, j] });
      });
    }
    if (spans.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'the calendar needs at least one working interval a week', path: [] });
      return;
    }
    spans.sort((a, b) => a.start - b.start);
    spans.forEach((a, k) => {
      const b = spans[(k + 1) % spans.length];
      // the next interval, and Sunday night's shift against Monday morning across the week's end
      const bStart = k + 1 < spans.length ? b.start : b.start + WEEK;
      if (spans.length > 1 && a.end > bStart) {
        ctx.addIssue({ code: 'custom', message: `overlaps ${b.path[0]} interval ${b.path[1]}`, path: a.path });
      }
    });
  });

/**
 * A site's working calendar in the policy. `utcOffsetMinutes` and `dst` may be left out for the
 * zones in KNOWN_TIME_ZONES; given, they win (a stored policy re-parses the same whatever the table
 * says later).
 */
export const SlaCalendarSchema = z
  .object({
    timeZone: z
      .string()
      .min(1)
      .max(64)
      .regex(/^(UTC|[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+){1,2})$/, "an IANA time zone such as 'Europe/Berlin'"),
    utcOffsetMinutes: z
      .number()
      .int()
      .min(-720)
      .max(840)
      .refine((m) => m % 15 === 0, 'a whole number of quarter hours')
      .optional(),
    dst: z.enum(DST_RULES).optional(),
    hours: Hours,
    holidays: z
      .array(LocalDate)
      .max(MAX_HOLIDAYS)
      .default([])
      .refine((h) => new Set(h).size === h.length, 'a holiday is listed twice'),
  })
  .strict()
  .transform((cal, ctx): SlaCalendar => {
    const known = KNOWN_TIME_ZONES[cal.timeZone];
    const utcOffsetMinutes = cal.utcOffsetMinutes ?? known?.utcOffsetMinutes;
    const dst = cal.dst ?? known?.dst;
    if (utcOffsetMinutes === undefined || dst === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${cal.timeZone} is not a zone Reckon knows: give utcOffsetMinutes (standard time) and dst ('none', 'eu' or 'us')`,
        path: [cal.utcOffsetMinutes === undefined ? 'utcOffsetMinutes' : 'dst'],
      });
      return z.NEVER;
    }
    return { timeZone: cal.timeZone, utcOffsetMinutes, dst, hours: cal.hours, holidays: cal.holidays };
  });

export type SlaCalendarInput = z.input<typeof SlaCalendarSchema>;
