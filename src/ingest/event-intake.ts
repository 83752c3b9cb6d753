import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { ZodError } from 'zod';
import type { MasterDataPort } from '../adapters/ports';
import type { Config } from '../config';
import { effectivePolicy, InventoryEvent, type PolicyDocument } from '../domain';
import type { Logger } from '../logger';
import { getActivePolicy } from '../store/policy-repo';
import type { Cause } from '../store/detections-repo';
import type { Detector } from './detectors';
import type { StockSource } from '../store/feature-snapshot';
import { finishEvents } from './finish-events';
import { fieldErrors, type FieldError } from './queue-message';
import { recordEvents, type RecordedEvent, type RecordManyOptions } from './record-event';
import { seedForEvents, type StockLookup } from './stock-lookup';

/**
 * The one intake of canonical events, whatever the door (HTTP, RabbitMQ, the sweeper, a later
 * source): validate, dedupe, store and detect (phase one, one transaction per event), then hand
 * the findings to cases, signal the watchers and mark the event processed (phase two).
 */
export interface EventIntake {
  db: Pool;
  temporal: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'ADAPTER'>;
  logger?: Logger;
  /** replaces the shipped detectors (tests) */
  detectors?: readonly Detector[];
  /** a bin's stock from the WMS/ERP when Reckon sees its first event */
  stockLookup?: StockLookup;
  /** item and location master data from the WMS/ERP when Reckon first sees a sku or bin */
  masterData?: MasterDataPort;
  /** the embedded demo's fake WMS/ERP books each event (wired by the composition root only) */
  mirror?: (event: InventoryEvent) => Promise<void>;
  /** runs phase two's Temporal calls, e.g. under a deadline; as they are when absent */
  withTemporal?: <T>(call: () => Promise<T>) => Promise<T>;
}

/** What the composition root wires into every door's intake (src/wiring/fake-wms.ts). */
export type IntakePorts = Pick<EventIntake, 'stockLookup' | 'masterData' | 'mirror'>;

export type EventOutcome =
  | { status: 'accepted' | 'duplicate'; source: string; eventId: string; event: InventoryEvent; cases: string[] }
  | { status: 'invalid'; source?: string; eventId?: string; errors: FieldError[]; zodError?: ZodError }
  | { status: 'forbidden'; source: string; eventId: string; errors: FieldError[] };
export type EventStatus = EventOutcome['status'];

export interface AcceptOptions {
  /** whether the sender may send events for a site (an API key's scope); any site when absent */
  maySend?: (site: string) => boolean;
  /** a value Postgres refuses (SQLSTATE class 22): an invalid item, or thrown (the queue dead-letters it) */
  dataExceptions?: 'invalid' | 'throw';
  /** phase two for this many events at a time (phase one runs in order) */
  width?: number;
  /** the active policy, when the caller has it already */
  policy?: PolicyDocument;
  /** the sender's sites ('*': all): the cases answered are only those at these sites */
  sites?: readonly string[];
}

/** An event as the cause of detections: ids are unique per source and site. */
export function causeOf(event: InventoryEvent): Cause {
  return { eventSource: event.source, eventId: event.eventId, eventSite: event.site };
}

/** Detectors read Reckon's own running balances (schema `features`), whatever the adapter. */
export function stockSourceFor(_config?: Pick<Config, 'ADAPTER'>): StockSource {
  return 'events';
}

/**
 * Takes in a list of events in order and returns one outcome per item. Phase one stores every
 * valid, permitted item in one transaction (a redelivery is recognised and changes nothing);
 * phase two then runs for every stored event whose phase two has not completed, including
 * duplicates left unfinished by an earlier crash. If phase two fails the error is thrown with
 * every stored event kept: a redelivery or the sweeper finishes them.
 */
export async function acceptEvents(intake: EventIntake, items: readonly unknown[], opts: AcceptOptions = {}): Promise<EventOutcome[]> {
  // detectors judge each event by its site's policy (the site's override layer merged: tolerances, windows)
  const active = opts.policy ? undefined : await getActivePolicy(intake.db);
  const bySite = new Map<string, PolicyDocument>();
  const policyAt = (site: string): PolicyDocument => {
    if (opts.policy) return opts.policy;
    if (!bySite.has(site)) bySite.set(site, effectivePolicy(active!, site).document);
    return bySite.get(site)!;
  };
  const outcomes: EventOutcome[] = [];
  const valid: { i: number; event: InventoryEvent }[] = [];
  for (const item of items) {
    const parsed = InventoryEvent.safeParse(item);
    if (!parsed.success) {
      outcomes.push({ status: 'invalid', ...idsOf(item), errors: fieldErrors(parsed.error), zodError: parsed.error });
      continue;
    }
    const event = parsed.data;
    if (opts.maySend && !opts.maySend(event.site)) {
      outcomes.push({ status: 'forbidden', source: event.source, eventId: event.eventId, errors: [{ path: 'site', message: `the key may not send events for site ${event.site}` }] });
      continue;
    }
    outcomes.push({ status: 'accepted', source: event.source, eventId: event.eventId, event, cases: [] });
    valid.push({ i: outcomes.length - 1, event });
  }
  if (valid.length === 0) return outcomes;
  await seedForEvents(intake.db, valid.map((v) => v.event), intake, intake.logger);
  const recordOpts = { policyAt, stockSource: stockSourceFor(intake.config), logger: intake.logger, detectors: intake.detectors };
  const recorded = await recordOrIsolate(intake, valid, recordOpts, opts, outcomes);

  const toFinish: { i: number; event: InventoryEvent; processed: boolean; quiet?: boolean }[] = [];
  for (const { i, event, r } of recorded) {
    outcomes[i] = { status: r.status, source: event.source, eventId: event.eventId, event, cases: [] };
    // the same event twice in one list is finished once (the first)
    if (r.status === 'accepted' || !recorded.some((o) => o.i < i && sameEvent(o.event, event))) toFinish.push({ i, event, processed: r.processed, quiet: r.quiet });
  }
  const cases = await finishEvents(intake, toFinish, { sites: opts.sites, width: opts.width });
  toFinish.forEach(({ i }, n) => ((outcomes[i] as Extract<EventOutcome, { cases: string[] }>).cases = cases[n]));
  return outcomes;
}

/**
 * Phase one for the whole list; when Postgres refuses a value of one item (a data exception) the
 * list is taken again one event at a time, so only that item is invalid (or the error thrown).
 */
async function recordOrIsolate(
  intake: EventIntake, valid: { i: number; event: InventoryEvent }[], recordOpts: RecordManyOptions, opts: AcceptOptions, outcomes: EventOutcome[],
): Promise<{ i: number; event: InventoryEvent; r: RecordedEvent }[]> {
  try {
    const rs = await recordEvents(intake.db, valid.map((v) => v.event), recordOpts);
    return valid.map((v, n) => ({ ...v, r: rs[n] }));
  } catch (err) {
    if (!isDataException(err) || (valid.length === 1 && opts.dataExceptions !== 'invalid')) throw err;
    if (valid.length === 1) {
      outcomes[valid[0].i] = invalidItem(valid[0].event);
      return [];
    }
  }
  const out: { i: number; event: InventoryEvent; r: RecordedEvent }[] = [];
  for (const v of valid) {
    try {
      out.push({ ...v, r: (await recordEvents(intake.db, [v.event], recordOpts))[0] });
    } catch (err) {
      if (opts.dataExceptions !== 'invalid' || !isDataException(err)) throw err;
      outcomes[v.i] = invalidItem(v.event);
    }
  }
  return out;
}

const invalidItem = (e: InventoryEvent): EventOutcome => ({
  status: 'invalid', source: e.source, eventId: e.eventId, errors: [{ path: '(item)', message: 'holds a value that cannot be stored (e.g. a NUL character)' }],
});
const sameEvent = (a: InventoryEvent, b: InventoryEvent) => a.source === b.source && a.site === b.site && a.eventId === b.eventId;

/** One event: `acceptEvents` for a list of one. */
export async function acceptEvent(intake: EventIntake, item: unknown, opts: AcceptOptions = {}): Promise<EventOutcome> {
  return (await acceptEvents(intake, [item], opts))[0];
}

/** Phase two unless it already ran; the cases the event opened or joined either way. */
export async function finishEvent(intake: EventIntake, event: InventoryEvent, recorded: Pick<RecordedEvent, 'processed'>, sites?: readonly string[]): Promise<string[]> {
  return (await finishEvents(intake, [{ event, processed: recorded.processed }], { sites }))[0];
}

/** Postgres data exceptions (SQLSTATE class 22): the item's own values, not a fault of the service. */
export function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

function idsOf(item: unknown): { source?: string; eventId?: string } {
  const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' && v.length <= 128 ? v : undefined);
  return { source: s(o.source), eventId: s(o.eventId) };
}
