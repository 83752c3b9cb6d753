import type { Server } from 'node:http';
import Redis from 'ioredis';
import { createApp } from '../../src/api/app';
import { SimClient, type CaseDetail } from '../../src/sim/client';
import { DAY } from '../../src/sim/context';
import { runSimulation, type RunResult } from '../../src/sim/run';
import { DEFAULT_SHAPE } from '../../src/sim/warehouse';
import { createApiKey } from '../../src/store/api-key-repo';
import { startEngine, type Engine } from '../support/engine';
import { createIsolatedDatabase } from '../schema/isolated-db';

/**
 * Shadow mode on the simulator: one site in shadow, a simulated inventory controller correcting
 * the WMS after each shadowed case as people did before Reckon; the agreement figures the KPIs
 * endpoint gives at the end equal those worked out here from the cases and the bookings.
 */
let db: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let engine: Engine;
let redis: Redis;
let server: Server;
let result: RunResult;
const SHADOW = 'SHDC1';
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());

beforeAll(async () => {
  db = await createIsolatedDatabase('shadow');
  engine = await startEngine({ DATABASE_URL: db.url, RATE_LIMIT_PER_MINUTE: 1_000_000 });
  redis = new Redis(engine.config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  await redis.connect();
  const app = createApp({ temporal: engine.client, db: engine.db, redis, config: engine.config });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;
  const { key } = await createApiKey(engine.db, { userId: 'simulator', roles: ['admin', 'integration'], sites: ['*'] });
  result = await runSimulation(
    new SimClient(`http://127.0.0.1:${port}`, key),
    { seed: 6, days: 1, start: today - DAY, shape: { ...DEFAULT_SHAPE, skus: 18, ordersPerDay: 24, sitePrefix: 'SH' }, faultsPerSiteDay: 2, speed: 5000, postPolicy: true, settleTimeoutMs: 60_000, shadowSites: [SHADOW] },
    engine.db,
  );
}, 300_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  redis?.disconnect();
  await engine?.stop();
  await db?.drop();
});

type Would = 'adjust' | 'close' | 'people';
function would(d: CaseDetail): { what: Would; qty: number; auto: boolean } {
  const action = (d.decision as { action?: string } | null)?.action;
  if (action === 'auto_resolve') return d.decision?.correction === 'adjust' ? { what: 'adjust', qty: d.decision.adjustQty ?? 0, auto: true } : { what: 'close', qty: 0, auto: true };
  if (action === 'resolved_by_recount') return { what: 'close', qty: 0, auto: false };
  return { what: 'people', qty: 0, auto: false };
}

describe('a simulated site in shadow mode', () => {
  it('closes its cases as shadowed and acts on nothing; the other site acts', () => {
    const shadowed = result.record.details.filter((d) => d.site === SHADOW);
    expect(shadowed.length).toBeGreaterThan(5);
    expect(shadowed.every((d) => d.resolution === 'shadowed')).toBe(true);
    expect(result.record.details.filter((d) => d.site !== SHADOW).some((d) => d.resolution === 'shadowed')).toBe(false);
  });

  it('the controller corrected the WMS where a shadowed case’s bin was wrong', () => {
    const sh = result.record.shadow!;
    expect(sh.looked).toBeGreaterThan(0);
    expect(sh.bookings.length).toBeGreaterThan(0);
    expect(sh.bookings.every((b) => b.site === SHADOW && b.qty !== 0)).toBe(true);
  });

  it('GET /v1/kpis gives the agreement worked out by hand from the shadowed cases and the controller’s bookings', () => {
    const bookings = result.record.shadow!.bookings;
    const byKind = new Map<string, { shadowCases: number; agreed: number; wouldAutoResolve: number; autoResolutionsReversed: number; peopleActed: number }>();
    for (const d of result.record.details.filter((x) => x.site === SHADOW && x.resolution === 'shadowed')) {
      const from = Date.parse(d.detectedAt);
      // what people booked at the case's bin and sku in the 7 days after it was detected
      const people = bookings
        .filter((b) => d.location !== null && b.location === d.location && b.sku === d.sku && Date.parse(b.occurredAt) >= from && Date.parse(b.occurredAt) < from + 7 * DAY)
        .reduce((a, b) => a + b.qty, 0);
      const w = would(d);
      const agreed =
        w.what === 'adjust' ? Math.sign(people) === Math.sign(w.qty) && Math.abs(people - w.qty) <= Math.max(1, Math.abs(w.qty) * 0.1) : w.what === 'close' ? people === 0 : people !== 0;
      const row = byKind.get(d.kind) ?? { shadowCases: 0, agreed: 0, wouldAutoResolve: 0, autoResolutionsReversed: 0, peopleActed: 0 };
      row.shadowCases++;
      if (agreed) row.agreed++;
      if (w.auto) row.wouldAutoResolve++;
      if (w.auto && !agreed) row.autoResolutionsReversed++;
      if (people !== 0) row.peopleActed++;
      byKind.set(d.kind, row);
    }
    const fromApi = result.shadowAgreement!.filter((r) => r.site === SHADOW);
    const expected = [...byKind].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([kind, r]) => ({ kind, site: SHADOW, ...r, rate: r.agreed / r.shadowCases }));
    expect(fromApi).toEqual(expected);
    // the figures say something: people acted on some cases, and Reckon agreed with some of them
    expect(expected.reduce((a, r) => a + r.peopleActed, 0)).toBeGreaterThan(0);
    expect(expected.reduce((a, r) => a + r.agreed, 0)).toBeGreaterThan(0);
  });
});
