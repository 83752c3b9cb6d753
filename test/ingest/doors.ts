import type { Config } from '../../src/config';
import type { InventoryEventInput } from '../../src/domain';
import { receivingMatchId, returnWatchId, transferWatchId } from '../../src/workflows/watch-messages';
import type { Api } from '../support/api';
import { eventually, uniq, type Engine } from '../support/engine';
import type { TestBroker } from './support';

/**
 * Event scenarios, one per discrepancy kind and watcher, built from events alone (no seeded
 * stock), and what a user sees of a run: cases, detections and watcher outcomes with the run's
 * own ids taken out. Each door's run gets fresh sites, skus and documents.
 */
interface Ids {
  site: string;
  other: string;
  sku: string;
  doc: string;
}
type Ev = Partial<InventoryEventInput> & Pick<InventoryEventInput, 'type'>;
export interface Scenario {
  /** the case kinds the scenario must open (the test waits for them) */
  opens: string[];
  events(ids: Ids, t0: number): Ev[];
  /** events sent once the cases are open (the late partner a watcher still waits for) */
  after?(ids: Ids, t0: number): Ev[];
  /** the watcher whose outcome must be the same through both doors */
  watch?(ids: Ids): string;
}

const at = (t0: number, s: number) => new Date(t0 + s * 1000).toISOString();
const posted = { postedToErp: true, unitCost: 10, skuClass: 'B' };

export const SCENARIOS: Record<string, Scenario> = {
  count_variance: {
    opens: ['count_variance'],
    events: ({ sku }) => [
      { type: 'receipt', sku, location: 'A-01', qty: 100, attributes: posted },
      { type: 'count', sku, location: 'A-01', qty: 80, actor: { userId: 'counter7' }, attributes: { unitCost: 10, skuClass: 'B' } },
    ],
  },
  negative_inventory: {
    opens: ['negative_inventory'],
    events: ({ sku }) => [
      { type: 'receipt', sku, location: 'B-01', qty: 2, attributes: posted },
      { type: 'pick', sku, location: 'B-01', qty: 5, attributes: { unitCost: 10, skuClass: 'B' } },
    ],
  },
  phantom_stock: {
    opens: ['phantom_stock'],
    events: ({ sku }) => [
      { type: 'receipt', sku, location: 'C-01', qty: 30, attributes: posted },
      { type: 'pick', sku, location: 'C-01', qty: 2, attributes: { shortQty: 4, unitCost: 10, skuClass: 'B' } },
    ],
  },
  receiving_variance: {
    opens: ['receiving_variance'],
    events: ({ sku, doc }) => [
      { type: 'asn', sku, qty: 100, reference: { kind: 'asn', id: doc, line: '1' }, attributes: { expectedAt: at(Date.now(), 3600) } },
      { type: 'receipt', sku, location: 'DOCK', qty: 60, reference: { kind: 'asn', id: doc, line: '1' }, attributes: { closesLine: true, closesDocument: true, ...posted } },
    ],
    watch: ({ site, doc }) => receivingMatchId(site, 'asn', doc),
  },
  system_mismatch: {
    opens: ['system_mismatch'],
    events: ({ sku }) => [
      { type: 'receipt', sku, location: 'D-01', qty: 50, attributes: { ...posted, unitCost: 20 } },
      { type: 'receipt', sku, location: 'D-01', qty: 80, attributes: { unitCost: 20, skuClass: 'B' } },
    ],
  },
  mis_scan: {
    opens: ['mis_scan'],
    events: ({ sku }, t0) => [
      { type: 'receipt', sku, location: 'A-01', qty: 50, occurredAt: at(t0, -60), attributes: posted },
      { type: 'receipt', sku, location: 'F-09', qty: 50, occurredAt: at(t0, -50), attributes: posted },
      { type: 'pick', sku, location: 'A-01', qty: 1, occurredAt: at(t0, 0), actor: { userId: 'u-fast' }, attributes: { unitCost: 10, skuClass: 'B' } },
      { type: 'pick', sku, location: 'F-09', qty: 1, occurredAt: at(t0, 4), actor: { userId: 'u-fast' }, attributes: { unitCost: 10, skuClass: 'B' } },
    ],
  },
  shrink_pattern: {
    opens: ['shrink_pattern'],
    events: ({ sku }) => {
      const adj = (userId: string, qty: number): Ev => ({ type: 'adjustment', sku, location: 'G-01', qty, actor: { userId, shift: 'A' }, attributes: { unitCost: 10, skuClass: 'B' } });
      return [
        { type: 'receipt', sku, location: 'G-01', qty: 1000, attributes: posted },
        ...['p1', 'p2', 'p3', 'p4', 'p5'].map((u) => adj(u, -1)),
        adj('thief', -10),
        adj('thief', -10),
        adj('thief', -9),
      ];
    },
  },
  lot_expiry: {
    opens: ['lot_expiry'],
    events: ({ sku }) => [
      { type: 'receipt', sku, location: 'H-01', qty: 10, lot: 'L1', expiresOn: '2030-01-01', attributes: posted },
      { type: 'receipt', sku, location: 'H-02', qty: 10, lot: 'L2', expiresOn: '2030-06-01', attributes: posted },
      { type: 'pick', sku, location: 'H-02', qty: 2, lot: 'L2', attributes: { unitCost: 10, skuClass: 'B' } },
    ],
  },
  transfer_delay: {
    opens: ['transfer_delay'],
    events: ({ sku, other, doc }) => [
      { type: 'receipt', sku, location: 'OUT-1', qty: 12, attributes: posted },
      { type: 'transfer_shipped', sku, location: 'OUT-1', qty: 12, reference: { kind: 'transfer', id: doc }, attributes: { toSite: other, toLocation: 'IN-1', eta: at(Date.now(), -60), unitCost: 10, skuClass: 'B' } },
    ],
    after: ({ sku, other, doc }) => [{ type: 'transfer_received', site: other, sku, location: 'IN-1', qty: 12, reference: { kind: 'transfer', id: doc } }],
    watch: ({ doc }) => transferWatchId(doc),
  },
  return_unposted: {
    opens: ['return_unposted'],
    events: ({ sku, doc }) => [{ type: 'return_received', sku, location: 'RET-1', qty: 4, reference: { kind: 'return', id: doc }, attributes: { unitCost: 10, skuClass: 'B' } }],
    after: ({ sku, doc }) => [{ type: 'return_disposition', sku, location: 'RET-1', qty: 4, reference: { kind: 'return', id: doc }, attributes: { disposition: 'restock' } }],
    watch: ({ site, doc }) => returnWatchId(site, doc),
  },
  receiving_match: {
    opens: ['receiving_variance'],
    events: ({ sku, doc }) => [
      { type: 'asn', sku, qty: 100, reference: { kind: 'asn', id: doc, line: '1' } },
      { type: 'receipt', sku, location: 'DOCK', qty: 70, reference: { kind: 'asn', id: doc, line: '1' }, attributes: posted },
    ],
    watch: ({ site, doc }) => receivingMatchId(site, 'asn', doc),
  },
};

export type Door = 'http' | 'queue';

/** One engine with its doors: the API and a consumer on its own queue. */
export interface Stack {
  engine: Engine;
  api: Api;
  broker: TestBroker;
  config: Config;
}

export function build(s: Scenario, door: string): { ids: Ids; events: InventoryEventInput[]; after: InventoryEventInput[] } {
  const ids = { site: uniq(`DC-${door}`), other: uniq(`DC-${door}-to`), sku: uniq('SKU'), doc: uniq('DOC') };
  const t0 = Date.now() - 600_000;
  const full = (list: Ev[], from: number) => list.map((e, i) => ({ eventId: uniq(`E${from + i}`), source: 'wms', occurredAt: at(t0, from + i), site: ids.site, ...e }) as InventoryEventInput);
  const events = full(s.events(ids, t0), 0);
  return { ids, events, after: full(s.after?.(ids, t0) ?? [], events.length) };
}

/** Sends the events one at a time, each taken in fully before the next (intake order is the point). */
export async function send(stack: Stack, door: Door, events: InventoryEventInput[]): Promise<void> {
  const { api, broker, config, engine } = stack;
  for (const e of events) {
    if (door === 'http') {
      const res = await (await api.as({ userId: 'wms-feed', roles: ['integration'], sites: ['*'] })).post('/v1/events', e);
      expect(res.status).toBe(200);
      continue;
    }
    await broker.publish(config.RABBITMQ_QUEUE, e, { type: 'reckon.event', messageId: e.eventId });
    await eventually(async () => {
      const { rows } = await engine.db.query('SELECT processed_at FROM inventory_events WHERE source = $1 AND event_id = $2', [e.source, e.eventId]);
      return rows[0]?.processed_at != null;
    });
  }
}

/** What a user sees of a scenario's run, with its own site, sku and document ids taken out. */
export async function outcome(stack: Stack, s: Scenario, door: Door, run: ReturnType<typeof build>) {
  const { engine } = stack;
  const { ids } = run;
  const sites = [ids.site, ids.other];
  const norm = (v: string | null) => (v ?? '').replaceAll(ids.site, '<site>').replaceAll(ids.other, '<other>').replaceAll(ids.sku, '<sku>').replaceAll(ids.doc, '<doc>');
  await eventually(async () => {
    const { rows } = await engine.db.query<{ kind: string }>('SELECT kind FROM discrepancies WHERE site = ANY($1)', [sites]);
    return s.opens.every((k) => rows.some((r) => r.kind === k));
  }, 60_000);
  await send(stack, door, run.after);
  const watch = s.watch ? await engine.client.workflow.getHandle(s.watch(ids)).result() : undefined;
  // a WMS/ERP difference the events left becomes a case only if it outlasts the settling window
  // (2 s in the suite's policy): both doors are compared once it has passed
  await new Promise((r) => setTimeout(r, 3000));
  // what was detected has all been handed over (no detection left undispatched)
  await eventually(async () => {
    const { rows } = await engine.db.query(`SELECT 1 FROM detections WHERE report->>'site' = ANY($1) AND dispatched_at IS NULL`, [sites]);
    return rows.length === 0;
  });
  // and every case a detection opened is in the read model
  await eventually(async () => {
    const { rows } = await engine.db.query(
      `SELECT 1 FROM detections d WHERE d.report->>'site' = ANY($1) AND d.case_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM discrepancies c WHERE c.id = d.case_id)`,
      [sites],
    );
    return rows.length === 0;
  });
  const cases = await engine.db.query<{ kind: string; site: string; sku: string; location: string | null; expected_qty: string; observed_qty: string; occurrences: number }>(
    'SELECT kind, site, sku, location, expected_qty, observed_qty, occurrences FROM discrepancies WHERE site = ANY($1)',
    [sites],
  );
  const detections = await engine.db.query<{ detector: string; mode: string; dedupe_key: string }>(
    `SELECT detector, mode, dedupe_key FROM detections WHERE report->>'site' = ANY($1)`,
    [sites],
  );
  return {
    cases: cases.rows.map((c) => [c.kind, norm(c.site), norm(c.sku), norm(c.location), Number(c.expected_qty), Number(c.observed_qty), c.occurrences].join(' ')).sort(),
    detections: detections.rows.map((d) => `${d.detector} ${d.mode} ${norm(d.dedupe_key)}`).sort(),
    watch: watch ? { outcome: (watch as { outcome: string }).outcome, cases: (watch as { caseIds: string[] }).caseIds.length } : undefined,
  };
}

