import { z } from 'zod';

/**
 * Dates and instants as every door takes them (ISO 8601 / RFC 3339), within what Postgres stores:
 * years 1000–9999 and UTC offsets within ±14:00 (real zones span −12:00 to +14:00). Postgres
 * refuses an offset past ±15:59, so an instant zod alone lets through would wedge the case that
 * carries it. One regex each, so the OpenAPI document states exactly what is accepted.
 */
const YEAR = '[1-9]\\d{3}';
const LEAP_YEAR = '(?:[1-9]\\d(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)';
const DATE =
  `(?:${LEAP_YEAR}-02-29|${YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8])))`;
const TIME = '(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?';
const OFFSET = '(?:Z|[+-](?:0\\d|1[0-3]):[0-5]\\d|[+-]14:00)';

export const INSTANT_PATTERN = new RegExp(`^${DATE}T${TIME}${OFFSET}$`);
export const DATE_PATTERN = new RegExp(`^${DATE}$`);

/** A date-time with its UTC offset, e.g. 2026-11-30T08:15:00Z or 2026-11-30T09:15:00+01:00. */
export const Instant = z
  .string()
  .regex(INSTANT_PATTERN, 'an ISO 8601 date-time with offset (e.g. 2026-11-30T08:15:00Z), year 1000–9999, offset within ±14:00')
  .describe('ISO 8601 date-time with a UTC offset within ±14:00, year 1000–9999');

/** A calendar date, e.g. 2026-11-30. */
export const IsoDate = z
  .string()
  .regex(DATE_PATTERN, 'an ISO 8601 date (e.g. 2026-11-30), year 1000–9999')
  .describe('ISO 8601 date, year 1000–9999');
