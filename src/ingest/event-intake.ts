import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { ZodError } from 'zod';
import type { MasterDataPort } from '../adapters/ports';
import type { Config } from '../config';
import { effectivePolicy, InventoryEvent, type PolicyDocument } from '../domain';
import type { Logger } from '../logger';
import { markEventProcessed } from '../store/unprocessed-events';
import { getActivePolicy } from '../store/policy-repo';
import { casesOf, type Cause } from '../store/detections-repo';
import { dispatchDetections, type DetectionDeps } from './detections';
import type { Detector } from './detectors';
import { attributesOf } from './event-attributes';
import { loadItem, type StockSource } from '../store/feature-snapshot';
import { fieldErrors, type FieldError } from './queue-message';
import { recordEvent, type RecordedEvent } from './record-event';
import { seedMasterData, seedUnknownBins, type StockLookup } from './stock-lookup';
import { sendWatchSignals, watchSignalsFor } from './watch-signals';

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
 * Takes in a list of events in order and returns one outcome per item. Phase one stores each
 * valid, permitted item in turn (a redelivery is recognised and changes nothing); phase two then
 * runs for every stored event whose phase two has not completed, including duplicates left
 * unfinished by an earlier crash. If phase two fails the error is thrown with every stored
 * event kept: a redelivery or the sweeper finishes them.
 */
export async function acceptEvents(intake: EventIntake, items: readonly unknown[], opts: AcceptOptions = {}): Promise<EventOutcome[]> {
  // detectors judge each event by its site's policy (the site's override layer merged: tolerances, windows)
  const active = opts.policy ? undefined : await getActivePolicy(intake.db);
  const policyAt = (site: string): PolicyDocument => opts.policy ?? effectivePolicy(active!, site).document;
  const stockSource = stockSourceFor(intake.config);
  const outcomes: EventOutcome[] = [];
  const toFinish: { i: number; event: InventoryEvent; recorded: RecordedEvent }[] = [];
  const seen = new Set<string>();
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
    if (intake.stockLookup) await seedUnknownBins(intake.db, event, intake.stockLookup, intake.logger);
    if (intake.masterData) await seedMasterData(intake.db, event, intake.masterData, intake.logger);
    let recorded: RecordedEvent;
    try {
      recorded = await recordEvent(intake.db, event, { policy: policyAt(event.site), stockSource, logger: intake.logger, detectors: intake.detectors });
    } catch (err) {
      if (opts.dataExceptions !== 'invalid' || !isDataException(err)) throw err;
      outcomes.push({ status: 'invalid', source: event.source, eventId: event.eventId, errors: [{ path: '(item)', message: 'holds a value that cannot be stored (e.g. a NUL character)' }] });
      continue;
    }
    outcomes.push({ status: recorded.status, source: event.source, eventId: event.eventId, event, cases: [] });
    // the same event twice in one list is finished once
    const key = `${event.source}\u0000${event.site}\u0000${event.eventId}`;
    if (!seen.has(key)) toFinish.push({ i: outcomes.length - 1, event, recorded });
    seen.add(key);
  }
  await inParallel(toFinish, opts.width ?? 8, async ({ i, event, recorded }) => {
    const cases = await finishEvent(intake, event, recorded, opts.sites);
    (outcomes[i] as Extract<EventOutcome, { cases: string[] }>).cases = cases;
  });
  return outcomes;
}

/** One event: `acceptEvents` for a list of one. */
export async function acceptEvent(intake: EventIntake, item: unknown, opts: AcceptOptions = {}): Promise<EventOutcome> {
  return (await acceptEvents(intake, [item], opts))[0];
}

/** Phase two unless it already ran; the cases the event opened or joined either way. */
export async function finishEvent(intake: EventIntake, event: InventoryEvent, recorded: Pick<RecordedEvent, 'processed'>, sites?: readonly string[]): Promise<string[]> {
  if (recorded.processed) return casesOf(intake.db, causeOf(event), sites);
  const run = () => dispatchEvent(intake, event, sites);
  return intake.withTemporal ? intake.withTemporal(run) : run();
}

/** Phase two: detections to cases, watcher signals, then the event is processed. Safe to repeat. */
async function dispatchEvent(intake: EventIntake, event: InventoryEvent, sites?: readonly string[]): Promise<string[]> {
  const { db, temporal, config } = intake;
  // the fake follows before any case gathers evidence from it; idempotent, so a repeat is harmless
  if (intake.mirror) await intake.mirror(event);
  const detectionDeps: DetectionDeps = { db, temporal, config };
  const cases = await dispatchDetections(detectionDeps, causeOf(event), sites);
  const a = attributesOf(event);
  const item = await loadItem(db, event, a.unitCost, a.skuClass);
  const finished = await sendWatchSignals(temporal, config.TEMPORAL_TASK_QUEUE, watchSignalsFor(event, item));
  for (const w of finished) {
    intake.logger?.info({ eventId: event.eventId, source: event.source, watch: w.workflowId }, 'event on a finished watch: not watched again');
  }
  await markEventProcessed(db, event);
  return cases;
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

async function inParallel<T>(items: T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}
