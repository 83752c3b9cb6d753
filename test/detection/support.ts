import { randomUUID } from 'node:crypto';
import type { InventoryEventInput } from '../../src/domain';
import { startApi, type Api, type Persona } from '../support/api';
import { eventually, startEngine, type Engine } from '../support/engine';

export const integration: Persona = { userId: 'wms-feed', roles: ['integration'], sites: ['*'] };

/** An engine (worker on its own task queue) and the real API for a detection test file. */
export async function startDetection(): Promise<{ engine: Engine; api: Api }> {
  const engine = await startEngine();
  const api = await startApi(engine);
  return { engine, api };
}

/** A canonical event with a fresh id, occurring now unless told otherwise. */
export function ev(e: Partial<InventoryEventInput> & Pick<InventoryEventInput, 'type' | 'site'>): InventoryEventInput {
  return { eventId: `E-${randomUUID().slice(0, 12)}`, source: 'wms', occurredAt: new Date().toISOString(), ...e } as InventoryEventInput;
}

export async function postEvents(api: Api, body: unknown, as: Persona = integration) {
  return (await api.as(as)).post('/v1/events', body);
}

export interface CaseRowLite {
  id: string;
  kind: string;
  site: string;
  sku: string;
  location: string | null;
  expected_qty: string;
  observed_qty: string;
  status: string;
  occurrences: number;
  source_event_ids: string[];
}

/** Cases of a site from the read model (projected by the workflows). */
export async function casesAt(engine: Engine, site: string, kind?: string): Promise<CaseRowLite[]> {
  const { rows } = await engine.db.query<CaseRowLite>(
    `SELECT id, kind, site, sku, location, expected_qty, observed_qty, status, occurrences, source_event_ids
     FROM discrepancies WHERE site = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY opened_at`,
    [site, kind ?? null],
  );
  return rows;
}

/** Waits until the site has `n` cases of the kind and returns them. */
export async function waitForCases(engine: Engine, site: string, kind: string, n = 1, timeoutMs = 30_000): Promise<CaseRowLite[]> {
  return eventually(async () => {
    const rows = await casesAt(engine, site, kind);
    return rows.length >= n ? rows : undefined;
  }, timeoutMs);
}

/** Detections stored for a site's events (the outbox), whatever became of them. */
export async function detectionsAt(engine: Engine, site: string): Promise<{ detector: string; case_id: string | null; mode: string }[]> {
  const { rows } = await engine.db.query(
    `SELECT detector, case_id, mode FROM detections WHERE report->>'site' = $1 ORDER BY id`,
    [site],
  );
  return rows;
}

export async function seedItem(engine: Engine, sku: string, unitCost: number, skuClass: 'A' | 'B' | 'C' = 'C'): Promise<void> {
  await engine.db.query(
    `INSERT INTO ledger.items (sku, unit_cost, sku_class) VALUES ($1, $2, $3)
     ON CONFLICT (sku) DO UPDATE SET unit_cost = EXCLUDED.unit_cost, sku_class = EXCLUDED.sku_class`,
    [sku, unitCost, skuClass],
  );
}
