import type { InventoryEvent } from '../domain';
import { workflowIdForKey } from '../domain';
import { casesOfCauses, markHandedOver, undispatchedOfCauses, type CauseDetection } from '../store/detections-repo';
import { loadItem } from '../store/feature-snapshot';
import { batchKey, markEventsProcessed } from '../store/intake-batch';
import { mismatchSettleId, signalMismatchSettle } from './detections';
import { attributesOf } from './event-attributes';
import type { EventIntake } from './event-intake';
import { startOrMergeCase } from './start-case';
import { sendWatchSignals, watchSignalsFor } from './watch-signals';

/** Event types that may signal a watcher (watchSignalsFor): only these read the item for it. */
const WATCHED = new Set(['transfer_shipped', 'transfer_received', 'return_received', 'return_disposition', 'asn', 'purchase_order', 'receipt']);

const causeOf = (e: InventoryEvent) => ({ eventSource: e.source, eventSite: e.site, eventId: e.eventId });
const keyOf = (e: Pick<InventoryEvent, 'source' | 'site' | 'eventId'>) => batchKey(e.source, e.site, e.eventId);

/**
 * Phase two for a list of stored events (`processed`: phase two ran before, only the answer is
 * read): the fake follows them, their detections go to Temporal grouped per case (one case's
 * reports in event order, cases side by side), watchers are signalled, and the events whose
 * every step succeeded are marked processed in one statement. A failure is thrown after that,
 * so a redelivery or the sweeper finishes only what is left. Returns each event's cases.
 */
export async function finishEvents(
  intake: EventIntake,
  items: { event: InventoryEvent; processed: boolean; quiet?: boolean }[],
  opts: { sites?: readonly string[]; width?: number } = {},
): Promise<string[][]> {
  const { db, temporal, config } = intake;
  const width = opts.width ?? 8;
  const temporalCall = <T>(call: () => Promise<T>) => (intake.withTemporal ? intake.withTemporal(call) : call());
  const todo = items.filter((i) => !i.processed).map((i) => i.event);
  const failed = new Set<string>();
  let firstError: unknown;
  const fail = (key: string, err: unknown) => {
    failed.add(key);
    firstError ??= err;
  };

  // the fake follows before any case gathers evidence from it; idempotent, so a repeat is harmless
  if (intake.mirror) await inParallel(todo, width, async (e) => intake.mirror!(e).catch((err) => fail(keyOf(e), err)));

  // an event stored just now that detected nothing has no detections to look up
  const quiet = new Set(items.filter((i) => i.quiet).map((i) => keyOf(i.event)));
  const rows = await undispatchedOfCauses(db, todo.filter((e) => !failed.has(keyOf(e)) && !quiet.has(keyOf(e))).map(causeOf));
  const groups = new Map<string, CauseDetection[]>();
  for (const r of rows) {
    const id = r.mode === 'settle' ? mismatchSettleId(r.report) : workflowIdForKey(r.report);
    groups.set(id, [...(groups.get(id) ?? []), r]);
  }
  const handed: { id: string; caseId?: string; workflowId?: string }[] = [];
  await inParallel([...groups.values()], width, async (group) => {
    for (const r of group) {
      const key = batchKey(r.event_source, r.event_site, r.event_id);
      if (failed.has(key)) continue;
      try {
        if (r.mode === 'settle') {
          await temporalCall(() => signalMismatchSettle(temporal, config.TEMPORAL_TASK_QUEUE, {
            eventKey: `${r.event_source}:${r.event_id}`, report: r.report, receivedAt: r.received_at.toISOString(), stockSource: 'events',
          }));
          handed.push({ id: r.id });
        } else {
          const accepted = await startOrMergeCase(intake, r.report, { withTemporal: intake.withTemporal });
          handed.push({ id: r.id, caseId: accepted.id, workflowId: accepted.workflowId });
        }
      } catch (err) {
        fail(key, err);
      }
    }
  });
  await markHandedOver(db, handed);

  const watched = todo.filter((e) => WATCHED.has(e.type) && !failed.has(keyOf(e)));
  await inParallel(watched, width, async (e) => {
    try {
      // the item (a read) only for an event that does signal a watcher
      if (watchSignalsFor(e, { unitCost: 0, skuClass: 'C' }).length === 0) return;
      const a = attributesOf(e);
      const signals = watchSignalsFor(e, await loadItem(db, e, a.unitCost, a.skuClass));
      const finished = await temporalCall(() => sendWatchSignals(temporal, config.TEMPORAL_TASK_QUEUE, signals));
      for (const w of finished) intake.logger?.info({ eventId: e.eventId, source: e.source, watch: w.workflowId }, 'event on a finished watch: not watched again');
    } catch (err) {
      fail(keyOf(e), err);
    }
  });
  await markEventsProcessed(db, todo.filter((e) => !failed.has(keyOf(e))));
  if (firstError !== undefined) throw firstError;

  const cases = await casesOfCauses(db, items.filter((i) => !quiet.has(keyOf(i.event))).map((i) => causeOf(i.event)), opts.sites);
  return items.map((i) => cases.get(keyOf(i.event)) ?? []);
}

export async function inParallel<T>(items: T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}
