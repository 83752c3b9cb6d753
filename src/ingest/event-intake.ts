import type { Pool } from 'pg';
import type { InventoryEvent } from '../domain';
import type { Logger } from '../logger';
import { getActivePolicy } from '../store/policy-repo';
import { casesOf, dispatchDetections, type Cause, type DetectionDeps } from './detections';
import type { Detector } from './detectors';
import { loadItem, type StockSource } from './features/load';
import { attributesOf } from './event-attributes';
import { recordEvent, type RecordedEvent } from './record-event';
import type { CaseIntakeDeps } from './start-case';
import { sendWatchSignals, watchSignalsFor } from './watch-signals';

export type EventIntakeStatus = 'accepted' | 'duplicate';

export interface EventIntakeResult {
  status: EventIntakeStatus;
  /** case ids opened or merged by detectors for this event */
  cases: string[];
}

/** What intake needs beyond the database to turn detections into cases and start watchers. */
export interface EventIntakeDeps extends Omit<CaseIntakeDeps, 'db'> {
  /** `ledger` when the reference ledger is the system of record (ADAPTER=reference), else `events` */
  stockSource?: StockSource;
  logger?: Logger;
  /** replaces the shipped detectors (tests) */
  detectors?: readonly Detector[];
}

/**
 * Durable intake of one canonical event: stored once per (source, eventId); a redelivery is
 * recognised and changes nothing. Phase one (one transaction) stores the event, applies it to
 * the reference ledger and the features and stores the detectors' findings; phase two hands
 * the findings to cases and signals the watchers, then marks the event processed. Without
 * `deps` only phase one runs; a later delivery with deps finishes phase two.
 */
export async function acceptEvent(db: Pool, event: InventoryEvent, deps?: EventIntakeDeps): Promise<EventIntakeResult> {
  const policy = await getActivePolicy(db);
  const stockSource = deps?.stockSource ?? 'ledger';
  const recorded = await recordEvent(db, event, { policy: policy.document, stockSource, logger: deps?.logger, detectors: deps?.detectors });
  if (!deps || (recorded.status === 'duplicate' && recorded.processed)) {
    return { status: recorded.status, cases: await casesOf(db, causeOf(event)) };
  }
  return { status: recorded.status, cases: await dispatchEvent(db, event, recorded, deps) };
}

/** An event as the cause of detections: ids are unique per source and site. */
export function causeOf(event: InventoryEvent): Cause {
  return { eventSource: event.source, eventId: event.eventId, eventSite: event.site };
}

/**
 * Phase two: detections to cases, watcher signals, then the event is processed. Safe to repeat.
 * `sites`: the caller's, to keep other sites' cases out of the answer.
 */
export async function dispatchEvent(db: Pool, event: InventoryEvent, _recorded: RecordedEvent, deps: EventIntakeDeps, sites?: readonly string[]): Promise<string[]> {
  const detectionDeps: DetectionDeps = { ...deps, db, stockSource: deps.stockSource ?? 'ledger' };
  const cases = await dispatchDetections(detectionDeps, causeOf(event), sites);
  const a = attributesOf(event);
  const item = await loadItem(db, event, a.unitCost, a.skuClass);
  const finished = await sendWatchSignals(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, watchSignalsFor(event, item));
  for (const w of finished) {
    deps.logger?.info({ eventId: event.eventId, source: event.source, watch: w.workflowId }, 'event on a finished watch: not watched again');
  }
  await db.query('UPDATE inventory_events SET processed_at = now() WHERE source = $1 AND site = $2 AND event_id = $3 AND processed_at IS NULL', [event.source, event.site, event.eventId]);
  return cases;
}
