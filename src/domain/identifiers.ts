import { z } from 'zod';

/**
 * The one syntax of Reckon's identifiers, wherever they appear (bodies, paths, query filters,
 * queue messages; the OpenAPI document shows each as `pattern` and `maxLength`): they are used
 * in dedupe keys, workflow ids and URLs, so no whitespace and a bounded length.
 */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/:#]*$/;

export const identifier = (max = 64) => z.string().min(1).max(max).regex(IDENTIFIER_PATTERN, 'letters, digits and . _ - / : # only, starting with a letter or digit');

/** A warehouse (distribution centre, store). */
export const SiteId = identifier(32).describe('a site: 1–32 letters, digits and . _ - / : #, starting with a letter or digit');
/** An item, in the system of record's numbering. */
export const Sku = identifier(64).describe('a SKU: 1–64 letters, digits and . _ - / : #, starting with a letter or digit');
/** A bin or other storage location within a site. */
export const LocationId = identifier(64).describe('a location (bin): 1–64 letters, digits and . _ - / : #, starting with a letter or digit');
/** A count task, as the WMS (or the reference ledger) numbers it. */
export const CountTaskId = identifier(128).describe('a count task id');

/** Ids Reckon issues (cases, incidents, count plans): workflow and run ids, so a narrower set. */
const issued = (max: number, what: string) => z.string().min(1).max(max).regex(/^[A-Za-z0-9._:-]+$/, `not ${what}`);
export const CaseId = issued(128, 'a case id').describe('a case id');
export const IncidentId = issued(200, 'an incident id').describe('an incident id');
export const CountPlanId = z.string().min(1).max(300).regex(/^[A-Za-z0-9._:@+-]+$/, 'not a count plan id').describe('a count plan id');
/** A person or system acting (user ids of keys and inbox users). */
export const UserId = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]*$/, 'letters, digits and . _ @ + - only').describe('a user id');
