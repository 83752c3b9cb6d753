import { randomUUID } from 'node:crypto';
import type { DiscrepancyReportInput } from '../../src/domain';
import { startApi, type Api } from '../support/api';
import { eventually, startEngine, uniq, type Engine } from '../support/engine';

/**
 * Triage through the API against a real worker, Temporal and Postgres: cases reported with
 * POST /v1/discrepancies are clustered into incidents by the projection step, and carry a
 * triage priority the queue sorts on.
 */
let engine: Engine;
let api: Api;
// this file's own site: other files write to the same read model
const SITE = `TRI${randomUUID().slice(0, 6)}`;
const OTHER_SITE = `TRO${randomUUID().slice(0, 6)}`;
const integration = { userId: 'wms-feed', roles: ['integration'], sites: [SITE] };
const approver = { userId: 'ic-lead', roles: ['inventory_control', 'site_supervisor', 'ops_manager', 'finance'], sites: [SITE] };
const viewer = { userId: 'ops-viewer', roles: ['viewer'], sites: [SITE] };
const outsider = { userId: 'other-site', roles: ['viewer'], sites: [OTHER_SITE] };

interface IncidentBody {
  id: string;
  site: string;
  link: { kind: string; key: string };
  status: 'open' | 'closed';
  openCases: number;
  valueAtRisk: number;
  topPriority: { caseId: string; score: number; band: string } | null;
  cases: { id: string; leftAt: string | null; triageBand: string | null }[];
}

beforeAll(async () => {
  engine = await startEngine();
  api = await startApi(engine);
});
afterAll(async () => {
  await api?.stop();
  await engine?.stop();
});

/** A receiving variance waits for a person (awaiting_approval): it stays open until rejected. */
function report(r: Partial<DiscrepancyReportInput>): DiscrepancyReportInput {
  return {
    kind: 'receiving_variance',
    site: SITE,
    sku: uniq('SKU'),
    location: uniq('BIN'),
    reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 10,
    observedQty: 8,
    unitCost: 5,
    source: 'wms',
    ...r,
  };
}

async function open(reports: DiscrepancyReportInput[]): Promise<string[]> {
  const client = await api.as(integration);
  const ids: string[] = [];
  for (const r of reports) {
    const res = await client.post('/v1/discrepancies', r);
    expect(res.status).toBe(202);
    ids.push(res.body.id);
  }
  // every case projected and waiting for a person
  const db = engine.db;
  await eventually(async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM discrepancies WHERE id = ANY($1) AND status = 'awaiting_approval'`, [ids]);
    return rows[0].n === ids.length;
  }, 90_000);
  return ids;
}

async function reject(id: string): Promise<void> {
  const res = await (await api.as(approver)).post(`/v1/discrepancies/${id}/reject`, { reasonCode: 'NOT_AN_ISSUE', comment: 'not a stock problem' });
  expect(res.status).toBe(200);
  await eventually(async () => {
    const { rows } = await engine.db.query('SELECT status FROM discrepancies WHERE id = $1', [id]);
    return rows[0]?.status === 'closed';
  });
}

async function incidents(query: string, who = viewer): Promise<IncidentBody[]> {
  const res = await (await api.as(who)).get(`/v1/incidents?${query}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

const linkOf = (all: IncidentBody[], kind: string, key: string) => all.filter((i) => i.link.kind === kind && i.link.key === key);

describe('incidents', () => {
  const bin = 'DOCK-7';
  let twenty: string[] = [];
  let hotSku = '';

  it('clusters twenty cases on one bin into one incident of twenty, with their value at risk and top priority', async () => {
    hotSku = uniq('SKU');
    // demand for one SKU: three customer orders in the ERP (the case's evidence reads them through
    // the port), and picks over the velocity window that Reckon recorded from the events
    for (const [i, order] of ['SO-1', 'SO-2', 'SO-3'].entries()) {
      await engine.db.query(`INSERT INTO ledger.allocations (id, order_id, site, location, sku, qty) VALUES ($1, $2, $3, $4, $5, 4)`, [
        uniq(`AL${i}`), order, SITE, bin, hotSku,
      ]);
    }
    await engine.db.query(
      `INSERT INTO model.movements (id, site, location, sku, type, qty, occurred_at) VALUES ($1, $2, 'PICK-1', $3, 'pick', -90, now() - interval '2 days')`,
      [uniq('TX'), SITE, hotSku],
    );
    const reports = Array.from({ length: 20 }, (_, i) => report({ location: bin, sku: i === 7 ? hotSku : uniq('SKU'), unitCost: 5 + i }));
    twenty = await open(reports);

    const found = linkOf(await incidents(`site=${SITE}&status=open&kind=bin`), 'bin', bin);
    expect(found).toHaveLength(1);
    const [incident] = found;
    expect(incident.site).toBe(SITE);
    expect(incident.status).toBe('open');
    expect(incident.openCases).toBe(20);
    expect(incident.cases.map((c) => c.id).sort()).toEqual([...twenty].sort());
    // each case: 2 units short at its unit cost
    expect(incident.valueAtRisk).toBeCloseTo(reports.reduce((sum, r) => sum + 2 * r.unitCost!, 0), 2);
    // the SKU customers are waiting for outranks the others, although eleven of them are worth more
    expect(incident.topPriority?.caseId).toBe(twenty[7]);

    const detail = await (await api.as(viewer)).get(`/v1/incidents/${incident.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: incident.id, link: { kind: 'bin', key: bin }, openCases: 20 });
  });

  it('stores the triage priority on the case: the queue sorts by it, filters by band, and the case view shows it with its incidents', async () => {
    const client = await api.as(viewer);
    const hot = await client.get(`/v1/discrepancies/${twenty[7]}`);
    expect(hot.status).toBe(200);
    // 12 × 2 = 24 at risk, 90 units picked in 30 days, 3 orders: 10·log10(1 + 24 × 4 × 4) = 25.9
    expect(hot.body.triage).toMatchObject({ valueAtRisk: 24, velocityPerDay: 3, openOrders: 3, reservedQty: 12, band: 'P4', score: 25.9 });
    expect(hot.body.triageScore).toBe(25.9);
    expect(hot.body.incidents).toEqual([expect.objectContaining({ link: { kind: 'bin', key: bin }, status: 'open', leftAt: null })]);

    const sorted = await client.get(`/v1/discrepancies?site=${SITE}&sort=priority&limit=200`);
    expect(sorted.status).toBe(200);
    const scores: number[] = sorted.body.items.map((c: { triageScore: number }) => c.triageScore);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(sorted.body.items[0].id).toBe(twenty[7]);

    // every case is worth under $100 here: P4 (value × 1 × 1 < 1000)
    const p4 = await client.get(`/v1/discrepancies?site=${SITE}&band=P4&limit=200`);
    expect(p4.body.items.length).toBeGreaterThanOrEqual(20);
    const p1 = await client.get(`/v1/discrepancies?site=${SITE}&band=P1`);
    expect(p1.body.items).toEqual([]);
  });

  it('keeps unrelated cases apart: one incident per shared bin, user, document or SKU family, none for a case that shares nothing', async () => {
    const family = `DRL${randomUUID().slice(0, 4)}-18V`;
    const asn = uniq('ASN');
    const user = uniq('u');
    const ids = await open([
      report({ location: 'B-01' }),
      report({ location: 'B-01' }),
      report({ location: 'B-02' }),
      report({ location: 'B-02' }),
      report({ location: 'C-01', causedBy: [user] }),
      report({ location: 'C-02', causedBy: [user] }),
      report({ location: 'D-01', reference: { kind: 'asn', id: asn, line: '1' } }),
      report({ location: 'D-02', reference: { kind: 'asn', id: asn, line: '2' } }),
      report({ location: 'E-01', sku: `${family}-KIT` }),
      report({ location: 'E-02', sku: `${family}-BARE` }),
      report({ location: 'F-01' }),
    ]);
    const all = await incidents(`site=${SITE}&status=open&limit=200`);
    const expectPair = (kind: string, key: string, members: string[]) => {
      const found = linkOf(all, kind, key);
      expect(found).toHaveLength(1);
      expect(found[0].cases.map((c) => c.id).sort()).toEqual([...members].sort());
    };
    expectPair('bin', 'B-01', ids.slice(0, 2));
    expectPair('bin', 'B-02', ids.slice(2, 4));
    expectPair('user', user, ids.slice(4, 6));
    expectPair('document', `asn:${asn}`, ids.slice(6, 8));
    expectPair('sku_family', family, ids.slice(8, 10));
    const lone = ids[10];
    expect(all.some((i) => i.cases.some((c) => c.id === lone))).toBe(false);
    const view = await (await api.as(viewer)).get(`/v1/discrepancies/${lone}`);
    expect(view.body.incidents).toEqual([]);

    // a closed case leaves: a pair's incident closes, with both cases out of it
    await reject(ids[0]);
    const closed = linkOf(await incidents(`site=${SITE}&status=closed&kind=bin`), 'bin', 'B-01');
    expect(closed).toHaveLength(1);
    expect(closed[0].status).toBe('closed');
    expect(closed[0].openCases).toBe(0);
    expect(closed[0].cases.every((c) => c.leftAt !== null)).toBe(true);
    expect(linkOf(await incidents(`site=${SITE}&status=open&kind=bin`), 'bin', 'B-01')).toEqual([]);

    // a new case on the bin pairs with the one still open: a new incident, the closed one stays as it was
    const [again] = await open([report({ location: 'B-01' })]);
    const reopened = linkOf(await incidents(`site=${SITE}&status=open&kind=bin`), 'bin', 'B-01');
    expect(reopened).toHaveLength(1);
    expect(reopened[0].id).not.toBe(closed[0].id);
    expect(reopened[0].cases.map((c) => c.id).sort()).toEqual([ids[1], again].sort());
  });

  it('a case closing in a large incident leaves it; the incident goes on with the rest', async () => {
    await reject(twenty[0]);
    const [incident] = linkOf(await incidents(`site=${SITE}&status=open&kind=bin`), 'bin', bin);
    expect(incident.openCases).toBe(19);
    expect(incident.cases).toHaveLength(20);
    expect(incident.cases.find((c) => c.id === twenty[0])?.leftAt).not.toBeNull();
    expect(incident.cases.filter((c) => c.leftAt === null)).toHaveLength(19);
  });

  it('a case that resolves itself never enters an incident: only cases waiting for people cluster', async () => {
    const bin = uniq('AUTO');
    // a count 2 short of 120 on a balanced, quiet bin (class B): inside tolerance, auto-resolved
    // (with another case open at the bin it would wait for a person: decide.ts, holdBack)
    const sku = uniq('SKU');
    await engine.db.query(`INSERT INTO ledger.balances (site, location, sku, wms_qty, erp_qty) VALUES ($1, $2, $3, 120, 120)`, [SITE, bin, sku]);
    const res = await (await api.as(integration)).post('/v1/discrepancies', {
      kind: 'count_variance', site: SITE, sku, location: bin, expectedQty: 120, observedQty: 118, unitCost: 10, skuClass: 'B', source: 'wms',
    });
    expect(res.status).toBe(202);
    const auto = await eventually(async () => {
      const { rows } = await engine.db.query('SELECT resolution, triage_score FROM discrepancies WHERE id = $1', [res.body.id]);
      return rows[0]?.resolution ? rows[0] : undefined;
    });
    expect(auto).toEqual({ resolution: 'auto_resolved', triage_score: null });
    expect((await engine.db.query('SELECT 1 FROM case_links WHERE case_id = $1', [res.body.id])).rowCount).toBe(0);
    expect(linkOf(await incidents(`site=${SITE}&kind=bin`), 'bin', bin)).toEqual([]);

    // two cases waiting on the bin pair with each other, not with the one that resolved itself
    const [waiting] = await open([report({ location: bin })]);
    const [second] = await open([report({ location: bin })]);
    const [incident] = linkOf(await incidents(`site=${SITE}&status=open&kind=bin`), 'bin', bin);
    expect(incident.cases.map((c) => c.id).sort()).toEqual([waiting, second].sort());
  });

  it('pages with a cursor, newest first, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    const client = await api.as(viewer);
    for (let page = 0; page < 20; page++) {
      const res: { status: number; body: { items: IncidentBody[]; nextCursor: string | null } } = await client.get(
        `/v1/incidents?site=${SITE}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i) => i.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    const all = (await incidents(`site=${SITE}&limit=200`)).map((i) => i.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('is scoped to the key’s sites: another site’s key neither lists nor reads them', async () => {
    const [any] = await incidents(`site=${SITE}`);
    expect(await incidents(`site=${SITE}`, outsider)).toEqual([]);
    expect((await incidents('', outsider)).some((i) => i.site === SITE)).toBe(false);
    const res = await (await api.as(outsider)).get(`/v1/incidents/${any.id}`);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses bad input with problem+json naming the field', async () => {
    const client = await api.as(viewer);
    for (const [query, field] of [
      ['status=pending', 'query.status'],
      ['kind=aisle', 'query.kind'],
      ['limit=0', 'query.limit'],
      ['cursor=non%20sense', 'query.cursor'],
      ['colour=red', 'query'],
    ]) {
      const res = await client.get(`/v1/incidents?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { path: string }) => e.path).join(' ')).toContain(field);
    }
    const band = await client.get('/v1/discrepancies?band=P5');
    expect(band.status).toBe(400);
    expect(band.body.errors[0].path).toMatch(/^query\.band/);
  });
});
