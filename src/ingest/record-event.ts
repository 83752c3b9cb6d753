import type { Pool, PoolClient } from 'pg';
import { DiscrepancyReport, type InventoryEvent, type PolicyDocument } from '../domain';
import type { Logger } from '../logger';
import { withTransaction } from '../store/db';
import { storeDetections, type Detection } from '../store/detections-repo';
import { batchKey, claimEchoes, insertEvents, lockAll, storedEvents } from '../store/intake-batch';
import { stockLockKey } from '../store/model-corrections';
import { DETECTORS, type Detector } from './detectors';
import { loadFeatures, type StockSource } from '../store/feature-snapshot';
import type { Features } from './features/types';
import { applyFeatures } from '../store/feature-updates';
import { applyToModel } from '../store/model-repo';
import { recordCountForAccuracy } from '../accuracy/record-count';
import { eventKey } from './event-attributes';
import { recordRun, runsInBatch, type RunEvent } from './batch-features';

export interface RecordedEvent {
  status: 'accepted' | 'duplicate';
  /** the event's detections were handed over and its watchers signalled (a duplicate may not be yet) */
  processed: boolean;
  receivedAt: string;
  /** stored now and nothing was detected: phase two has no detections to hand over */
  quiet?: boolean;
}

export interface RecordOptions {
  policy: PolicyDocument;
  stockSource: StockSource;
  logger?: Logger;
  detectors?: readonly Detector[];
}

export interface RecordManyOptions extends Omit<RecordOptions, 'policy'> {
  /** the effective policy of a site */
  policyAt: (site: string) => PolicyDocument;
}

/** Phase one for one event: `recordEvents` for a list of one. */
export async function recordEvent(pool: Pool, e: InventoryEvent, opts: RecordOptions): Promise<RecordedEvent> {
  return (await recordEvents(pool, [e], { ...opts, policyAt: () => opts.policy }))[0];
}

/** Deadlocks between concurrent batches (rows shared across skus) are retried this many times. */
const DEADLOCK_RETRIES = 3;

/**
 * Phase one of intake for a list of events, in ONE transaction: store the events (once per
 * source, site and id; a repeat is a duplicate), then take each in order against the features
 * as the events before it left them, apply it to Reckon's model and features, run the detectors
 * and store what they found. Events of one site and sku (and one document) are serialised with
 * every other intake by advisory locks, so detectors see a consistent before. Most events run
 * set-based (batch-features.ts); the few that read more (counts, inbound documents, lots,
 * losses) one at a time in the same transaction, in their place in the order.
 */
export async function recordEvents(pool: Pool, events: InventoryEvent[], opts: RecordManyOptions): Promise<RecordedEvent[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await withTransaction(pool, (c) => recordInTransaction(c, events, opts));
    } catch (err) {
      if ((err as { code?: string }).code !== '40P01' || attempt >= DEADLOCK_RETRIES) throw err;
    }
  }
}

async function recordInTransaction(c: PoolClient, events: InventoryEvent[], opts: RecordManyOptions): Promise<RecordedEvent[]> {
  // one intake at a time per site: its shared feature rows (activity buckets, last scans) are
  // then never taken in two orders by two transactions (no deadlocks)
  const locks: string[] = [...new Set(events.map((e) => `reckon-intake:${e.site}`))];
  for (const e of events) {
    if (e.sku) locks.push(stockLockKey(e.site, e.sku));
    if (e.reference) locks.push(`reckon-doc:${e.site}|${e.reference.kind}|${e.reference.id}`);
  }
  await lockAll(c, locks);
  // the first of repeats within the list is the one stored
  const firsts = new Map<string, InventoryEvent>();
  for (const e of events) if (!firsts.has(batchKey(e.source, e.site, e.eventId))) firsts.set(batchKey(e.source, e.site, e.eventId), e);
  const inserted = await insertEvents(c, [...firsts.values()]);
  const prior = await storedEvents(c, [...firsts.values()].filter((e) => !inserted.has(batchKey(e.source, e.site, e.eventId))));
  const accepted = [...firsts.entries()].filter(([k]) => inserted.has(k)).map(([k, e]) => ({ event: e, receivedAt: inserted.get(k)!.toISOString() }));
  const echoes = await claimEchoes(c, accepted.map((a) => a.event).filter((e) => e.type === 'adjustment' && e.sku));

  const detectors = opts.detectors ?? DETECTORS;
  const judge = (e: InventoryEvent, f: Features, receivedAt: string) => detect(e, f, detectors, opts.logger, receivedAt);
  const found: Detection[] = [];
  let run: RunEvent[] = [];
  for (const { event: e, receivedAt } of accepted) {
    const echo = echoes.has(eventKey(e));
    if (runsInBatch(e)) {
      run.push({ event: e, receivedAt, echo });
      continue;
    }
    found.push(...(await recordRun(c, run, { policyAt: opts.policyAt, detect: judge })));
    run = [];
    found.push(...(await recordOne(c, e, receivedAt, echo, opts.policyAt(e.site), opts, judge)));
  }
  found.push(...(await recordRun(c, run, { policyAt: opts.policyAt, detect: judge })));
  await storeDetections(c, found);

  const detected = new Set(found.map((d) => batchKey(d.eventSource, d.eventSite ?? d.report.site, d.eventId)));
  const seen = new Set<string>();
  return events.map((e) => {
    const k = batchKey(e.source, e.site, e.eventId);
    const at = inserted.get(k);
    const repeat = seen.has(k);
    seen.add(k);
    if (at && !repeat) return { status: 'accepted', processed: false, receivedAt: at.toISOString(), quiet: !detected.has(k) };
    if (at) return { status: 'duplicate', processed: false, receivedAt: at.toISOString() };
    const p = prior.get(k)!;
    return { status: 'duplicate', processed: p.processed, receivedAt: p.receivedAt.toISOString() };
  });
}

/** One event that reads more than a run keeps: the features loaded for it alone, as always. */
async function recordOne(
  c: PoolClient, e: InventoryEvent, receivedAt: string, echo: boolean, policy: PolicyDocument, opts: RecordManyOptions,
  judge: (e: InventoryEvent, f: Features, receivedAt: string) => Detection[],
): Promise<Detection[]> {
  const features = await loadFeatures(c, e, { policy, receivedAt, stockSource: opts.stockSource });
  await applyToModel(c, e);
  // the WMS echoing Reckon's own correction: stored and in the model's history, balances already moved
  await applyFeatures(c, e, features, { ownCorrection: echo });
  if (e.type === 'count' && e.sku && e.qty !== undefined && e.qty >= 0) {
    const loc = e.location ?? '';
    await recordCountForAccuracy(c, policy, {
      id: `event:${e.source}:${e.eventId}`,
      origin: 'event',
      site: e.site,
      location: e.location,
      zone: features.zones[loc],
      sku: e.sku,
      suppliedClass: features.item.skuClass,
      unitCost: features.item.unitCost,
      systemQty: features.stock[loc]?.wms ?? 0,
      countedQty: e.qty,
      countedAt: e.occurredAt,
    });
  }
  return echo ? [] : judge(e, features, receivedAt);
}

/**
 * Runs every detector. A detector that throws or proposes an invalid report is logged and
 * skipped: one faulty rule must not lose the event or the other detectors' findings.
 */
export function detect(e: InventoryEvent, f: Features, detectors: readonly Detector[], logger: Logger | undefined, receivedAt: string): Detection[] {
  const found: Detection[] = [];
  for (const d of detectors) {
    let proposals;
    try {
      proposals = d.onEvent(e, f);
    } catch (err) {
      logger?.error({ err, detector: d.name, eventId: e.eventId }, 'detector failed');
      continue;
    }
    for (const p of proposals) {
      const parsed = DiscrepancyReport.safeParse(p);
      if (!parsed.success) {
        logger?.warn({ detector: d.name, eventId: e.eventId, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'detector proposed an invalid report');
        continue;
      }
      found.push({
        eventSource: e.source,
        eventSite: e.site,
        eventId: e.eventId,
        detector: d.name,
        detectorVersion: d.version,
        mode: d.settles ? 'settle' : 'report',
        report: parsed.data,
        receivedAt,
      });
    }
  }
  return found;
}
