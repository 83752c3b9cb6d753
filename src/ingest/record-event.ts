import type { Pool } from 'pg';
import { DiscrepancyReport, type InventoryEvent, type PolicyDocument } from '../domain';
import type { Logger } from '../logger';
import { withTransaction } from '../store/db';
import { storeDetections, type Detection } from '../store/detections-repo';
import { insertEvent, lockForTransaction, storedEvent } from '../store/inventory-events';
import { DETECTORS, type Detector } from './detectors';
import { loadFeatures, type StockSource } from '../store/feature-snapshot';
import type { Features } from './features/types';
import { applyFeatures } from '../store/feature-updates';
import { applyToModel } from '../store/model-repo';
import { claimEcho, stockLockKey } from '../store/model-corrections';
import { recordCountForAccuracy } from '../accuracy/record-count';

export interface RecordedEvent {
  status: 'accepted' | 'duplicate';
  /** the event's detections were handed over and its watchers signalled (a duplicate may not be yet) */
  processed: boolean;
  receivedAt: string;
}

export interface RecordOptions {
  policy: PolicyDocument;
  stockSource: StockSource;
  logger?: Logger;
  detectors?: readonly Detector[];
}

/**
 * Phase one of intake, in one transaction: store the event (once per source and id), take the
 * features as they stood, apply the event to Reckon's own model and features, run the detectors and store what they found. Events
 * of one site and sku are serialised by an advisory lock, so detectors see a consistent before.
 */
export async function recordEvent(pool: Pool, e: InventoryEvent, opts: RecordOptions): Promise<RecordedEvent> {
  return withTransaction(pool, async (c) => {
    if (e.sku) await lockForTransaction(c, stockLockKey(e.site, e.sku));
    if (e.reference) await lockForTransaction(c, `reckon-doc:${e.site}|${e.reference.kind}|${e.reference.id}`);
    const insertedAt = await insertEvent(c, e);
    if (insertedAt === undefined) {
      const prior = await storedEvent(c, e);
      return { status: 'duplicate', processed: prior?.processed_at != null, receivedAt: prior!.received_at.toISOString() };
    }
    const receivedAt = insertedAt.toISOString();
    const features = await loadFeatures(c, e, { policy: opts.policy, receivedAt, stockSource: opts.stockSource });
    // the WMS echoing Reckon's own correction: stored and in the model's history, balances already moved
    const echo = e.type === 'adjustment' && (await claimEcho(c, e));
    await applyToModel(c, e);
    await applyFeatures(c, e, features, { ownCorrection: echo });
    if (!echo) await storeDetections(c, detect(e, features, opts.detectors ?? DETECTORS, opts.logger, receivedAt));
    if (e.type === 'count' && e.sku && e.qty !== undefined && e.qty >= 0) {
      const loc = e.location ?? '';
      await recordCountForAccuracy(c, opts.policy, {
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
    return { status: 'accepted', processed: false, receivedAt };
  });
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
