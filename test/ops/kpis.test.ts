import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { CaseState, DiscrepancyKind, Resolution } from '../../src/domain';
import { appendAudit } from '../../src/store/audit-repo';
import { withTransaction } from '../../src/store/db';
import { insertCase, startApi, uniq, type ApiHarness } from '../api/support';

/**
 * GET /v1/kpis on a fixture written straight into the read model, the audit log and outcomes,
 * under sites of its own; every expected figure is worked out by hand below.
 */
let api: ApiHarness;
let admin: string;
const S1 = uniq('KPI1');
const S2 = uniq('KPI2');
const T0 = Date.now();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

interface FixtureCase {
  site: string;
  kind: DiscrepancyKind;
  location: string;
  openedAgo: number;
  detectSeconds: number;
  status: CaseState['status'];
  resolution?: Resolution;
  resolveSeconds?: number;
  breached?: boolean;
  audit?: string[];
  outcome?: { rootCause: string | null; truePositive: boolean | null };
}

const FIXTURE: FixtureCase[] = [
  // c1: auto-resolved in 1 h, a true miscount at L1
  { site: S1, kind: 'count_variance', location: 'L1', openedAgo: 2 * DAY, detectSeconds: 600, status: 'closed', resolution: 'auto_resolved', resolveSeconds: 3600, outcome: { rootCause: 'miscount', truePositive: true } },
  // c2: reviewed, SLA breached, rejected after 2 h: a false positive (its cause is not counted)
  { site: S1, kind: 'count_variance', location: 'L1', openedAgo: 3 * DAY, detectSeconds: 60, status: 'closed', resolution: 'rejected_no_change', resolveSeconds: 7200, breached: true, audit: ['approval_requested', 'sla_breached'], outcome: { rootCause: 'miscount', truePositive: false } },
  // c3: open 30 min, reviewed and recounted
  { site: S1, kind: 'receiving_variance', location: 'L1', openedAgo: 30 * MIN, detectSeconds: 0, status: 'awaiting_approval', audit: ['count_task_created', 'approval_requested'] },
  // c4: open 5 h, waiting for a recount
  { site: S1, kind: 'count_variance', location: 'L2', openedAgo: 5 * HOUR, detectSeconds: 120, status: 'awaiting_recount', audit: ['count_task_created'] },
  // c5: approved after 3 h: theft at L1
  { site: S1, kind: 'count_variance', location: 'L1', openedAgo: 4 * DAY, detectSeconds: 300, status: 'closed', resolution: 'approved_adjusted', resolveSeconds: 10_800, audit: ['approval_requested'], outcome: { rootCause: 'theft', truePositive: true } },
  // c6: opened before the window: in no window figure
  { site: S1, kind: 'count_variance', location: 'L1', openedAgo: 20 * DAY, detectSeconds: 5, status: 'closed', resolution: 'auto_resolved', resolveSeconds: 60, outcome: { rootCause: 'theft', truePositive: true } },
  // c7: open 5 days, breached
  { site: S1, kind: 'count_variance', location: 'L3', openedAgo: 5 * DAY, detectSeconds: 1000, status: 'awaiting_approval', breached: true, audit: ['approval_requested', 'sla_breached'] },
  // c8: the other site: ladder ran out after 30 min, no verdict
  { site: S2, kind: 'lot_expiry', location: 'L9', openedAgo: 1 * DAY, detectSeconds: 100, status: 'closed', resolution: 'escalated_terminal', resolveSeconds: 1800, breached: true, audit: ['approval_requested', 'sla_breached'], outcome: { rootCause: 'expired_stock', truePositive: null } },
];

beforeAll(async () => {
  api = await startApi();
  admin = await api.bearer(['admin']);
  for (const c of FIXTURE) {
    const caseId = randomUUID();
    const openedAt = T0 - c.openedAgo;
    await insertCase(api.db, {
      caseId,
      status: c.status,
      resolution: c.resolution,
      breached: c.breached ?? false,
      openedAt: iso(openedAt),
      closedAt: c.resolveSeconds === undefined ? undefined : iso(openedAt + c.resolveSeconds * 1000),
      report: { site: c.site, kind: c.kind, location: c.location, detectedAt: iso(openedAt - c.detectSeconds * 1000) },
    });
    const audit = c.audit ?? [];
    await withTransaction(api.db, (tx) =>
      appendAudit(tx, caseId, audit.map((action, i) => ({ seq: i + 1, at: iso(openedAt + i * 1000), action, actorKind: 'system' as const, actorId: 'reckon' }))),
    );
    if (c.outcome) {
      await api.db.query(
        'INSERT INTO outcomes (case_id, kind, site, resolution, root_cause, true_positive) VALUES ($1,$2,$3,$4,$5,$6)',
        [caseId, c.kind, c.site, c.resolution, c.outcome.rootCause, c.outcome.truePositive],
      );
    }
  }
});
afterAll(async () => {
  expect(api.serverErrors).toEqual([]);
  await api.close();
});

const window = `from=${iso(T0 - 10 * DAY)}&to=${iso(T0 + HOUR)}`;

it('computes every KPI of the window by hand', async () => {
  const res = await request(api.app).get(`/v1/kpis?site=${S1},${S2}&${window}`).set('Authorization', admin);
  expect(res.status).toBe(200);
  const k = res.body;
  expect(k.scope).toEqual({ sites: [S1, S2], kinds: null });
  // c1 c2 c3 c4 c5 c7 c8 (c6 opened before the window)
  expect(k.volume.total).toBe(7);
  expect(k.volume.byKind).toEqual([
    { kind: 'count_variance', count: 5 },
    { kind: 'lot_expiry', count: 1 },
    { kind: 'receiving_variance', count: 1 },
  ]);
  expect(k.volume.bySite).toEqual([
    { site: S1, count: 6 },
    { site: S2, count: 1 },
  ]);
  // open now: c3 (30 min), c4 (5 h), c7 (5 days)
  expect(k.openByAge.buckets).toEqual({ '<1h': 1, '1-4h': 0, '4-24h': 1, '1-3d': 0, '>3d': 1 });
  expect(k.openByAge.total).toBe(3);
  // detection delays 600 60 0 120 300 1000 100 s: mean 2180/7, median 120, p90 600 + 0.4 × 400
  expect(k.mttd.count).toBe(7);
  expect(k.mttd.avgSeconds).toBeCloseTo(2180 / 7, 3);
  expect(k.mttd.p50Seconds).toBeCloseTo(120, 3);
  expect(k.mttd.p90Seconds).toBeCloseTo(760, 3);
  // closed c1 c2 c5 c8 in 3600 7200 10800 1800 s: mean 5850, median 5400, p90 7200 + 0.7 × 3600
  expect(k.mttr.count).toBe(4);
  expect(k.mttr.avgSeconds).toBeCloseTo(5850, 3);
  expect(k.mttr.p50Seconds).toBeCloseTo(5400, 3);
  expect(k.mttr.p90Seconds).toBeCloseTo(9720, 3);
  // auto-resolved c1 of the closed four
  expect(k.autoResolutionRate).toEqual({ rate: 0.25, numerator: 1, denominator: 4 });
  // a count task for c3 and c4, of seven
  expect(k.recountRate).toEqual({ rate: 2 / 7, numerator: 2, denominator: 7 });
  // breached c2 c7 c8, of the five that reached a person (c2 c3 c5 c7 c8)
  expect(k.slaBreachRate).toEqual({ rate: 0.6, numerator: 3, denominator: 5 });
  // verdicts c1 c2 c5 (c8 has none): one false positive of three
  expect(k.falsePositiveRate).toEqual([{ kind: 'count_variance', site: S1, falsePositives: 1, decided: 3, rate: 1 / 3 }]);
  // true causes: L1 miscount (c1), theft (c5); L9 expired_stock (c8); c2 is a false positive, c6 outside
  expect(k.topRootCauses).toEqual([
    { site: S1, location: 'L1', total: 2, causes: [{ rootCause: 'miscount', count: 1 }, { rootCause: 'theft', count: 1 }] },
    { site: S2, location: 'L9', total: 1, causes: [{ rootCause: 'expired_stock', count: 1 }] },
  ]);
});

it('filters by kind', async () => {
  const res = await request(api.app).get(`/v1/kpis?site=${S1}&kind=count_variance&${window}`).set('Authorization', admin);
  expect(res.status).toBe(200);
  expect(res.body.volume.total).toBe(5);
  expect(res.body.openByAge.buckets).toEqual({ '<1h': 0, '1-4h': 0, '4-24h': 1, '1-3d': 0, '>3d': 1 });
  expect(res.body.recountRate).toEqual({ rate: 1 / 5, numerator: 1, denominator: 5 });
});

it('is limited to the key’s sites: without ?site its own, another site is 404 like an unknown one', async () => {
  const scoped = await api.bearer(['viewer'], [S2]);
  const own = await request(api.app).get(`/v1/kpis?${window}`).set('Authorization', scoped);
  expect(own.status).toBe(200);
  expect(own.body.scope.sites).toEqual([S2]);
  expect(own.body.volume.total).toBe(1);
  expect(own.body.autoResolutionRate).toEqual({ rate: 0, numerator: 0, denominator: 1 });
  const other = await request(api.app).get(`/v1/kpis?site=${S1}&${window}`).set('Authorization', scoped);
  expect(other.status).toBe(404);
  expect(other.headers['content-type']).toMatch(/problem\+json/);
  expect((await request(api.app).get(`/v1/kpis?site=NO-SUCH-SITE&${window}`).set('Authorization', scoped)).status).toBe(404);
});

it('an empty window answers zeros and null rates', async () => {
  const res = await request(api.app).get(`/v1/kpis?site=${S1}&from=2001-01-01&to=2001-02-01`).set('Authorization', admin);
  expect(res.status).toBe(200);
  expect(res.body.volume).toEqual({ total: 0, byKind: [], bySite: [] });
  expect(res.body.mttr).toEqual({ count: 0, avgSeconds: null, p50Seconds: null, p90Seconds: null });
  expect(res.body.slaBreachRate).toEqual({ rate: null, numerator: 0, denominator: 0 });
});

it('unknown parameters are 400 and bad windows (a rule across from and to) 422, naming the field', async () => {
  const backwards = await request(api.app).get(`/v1/kpis?from=${iso(T0)}&to=${iso(T0 - DAY)}`).set('Authorization', admin);
  expect(backwards.status).toBe(422);
  expect(backwards.body.errors).toEqual([expect.objectContaining({ path: 'query.from' })]);
  const tooLong = await request(api.app).get('/v1/kpis?from=2020-01-01&to=2024-01-01').set('Authorization', admin);
  expect(tooLong.status).toBe(422);
  const junk = await request(api.app).get('/v1/kpis?from=yesterday&kind=nonsense&colour=red').set('Authorization', admin);
  expect(junk.status).toBe(400);
  expect(junk.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.colour', 'query.from', 'query.kind.0']);
});
