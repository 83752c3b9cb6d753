import type { Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { OPEN_CASE_STATUSES } from '../../src/domain';
import { createPool } from '../../src/store/db';
import { listCases, listQueue, type CaseCursor, type CaseFilter, type CaseRow } from '../../src/store/discrepancy-queries';
import { countQueue } from '../../src/store/inbox-queries';
import { insertCase } from '../api/support';
import { eventually, uniq } from '../support/engine';

// The inbox's search and counts, as a person sees them; other files write to the same read
// model, so everything here is scoped to this file's own sites.
let pool: Pool;
const SITE = uniq('QQ').slice(0, 12);
const OTHER = uniq('QR').slice(0, 12);
const ids: Record<string, string> = {};

beforeAll(async () => {
  pool = createPool(loadConfig().DATABASE_URL, 4);
  const put = async (name: string, site: string, o: Parameters<typeof insertCase>[1] = {}) => {
    const c = await insertCase(pool, { ...o, report: { site, ...o.report } });
    ids[name] = c.caseId;
  };
  await put('dock', SITE, { report: { sku: 'SKU-DOCK-7', location: 'DOCK-3', reference: { kind: 'asn', id: 'ASN-4711' }, sourceEventIds: ['EV-100'] } });
  await put('aisle', SITE, { report: { sku: 'SKU-AISLE-1', location: 'A-01-01', sourceEventIds: ['EV-1001'] }, severity: 'high', breached: true });
  await put('percent', SITE, { report: { sku: 'SKU_50OFF', location: 'B-02-02' }, assignee: 'alice' });
  await put('closed', SITE, { report: { sku: 'SKU-DOCK-9', location: 'DOCK-3' }, status: 'closed' });
  await put('other', OTHER, { report: { sku: 'SKU-DOCK-7', location: 'DOCK-3' }, ownerRole: 'site_supervisor' });
});
afterAll(() => pool.end());

const found = async (text: string, more: CaseFilter = {}) =>
  (await listCases(pool, { site: [SITE, OTHER], text, ...more }, { sort: '-openedAt', limit: 50 })).items.map((c) => c.id).sort();
const named = (...names: string[]) => names.map((n) => ids[n]).sort();

describe('free-text search', () => {
  it('finds part of a sku, a location, a reference id or a case id, in any case', async () => {
    expect(await found('dock-7')).toEqual(named('dock', 'other'));
    expect(await found('DOCK-3')).toEqual(named('dock', 'closed', 'other'));
    expect(await found('4711')).toEqual(named('dock'));
    expect(await found(ids.aisle.slice(4, 20))).toEqual(named('aisle'));
  });

  it('matches a source event id whole, not a part of one', async () => {
    expect(await found('EV-100')).toEqual(named('dock'));
    expect(await found('EV-1001')).toEqual(named('aisle'));
    expect(await found('EV-10')).toEqual([]);
  });

  it('takes LIKE wildcards literally and never matches across two fields', async () => {
    expect(await found('sku_50')).toEqual(named('percent'));
    expect(await found('SKU-%')).toEqual([]);
    expect(await found('SKU_DOCK')).toEqual([]);
    // sku "SKU-DOCK-7" then location "DOCK-3": their joined text is no field of the case
    expect(await found('7 DOCK')).toEqual([]);
    // nor with the character that keeps the fields apart in the stored search text
    expect(await found('7\x1fDOCK')).toEqual([]);
  });

  it('combines with the other filters', async () => {
    expect(await found('DOCK-3', { status: ['closed'] })).toEqual(named('closed'));
    expect(await found('DOCK-3', { status: ['awaiting_approval', 'opened'] })).toEqual(named('dock', 'other'));
    expect(await found('DOCK-3', { status: ['closed', 'awaiting_approval'] })).toEqual(named('dock', 'closed', 'other'));
    expect(await found('DOCK', { visibleSites: [OTHER] })).toEqual(named('other'));
  });

  it('resolves a search to the ids it matches within the filter, or to nothing when it matches more than the limit', async () => {
    const { countSearch } = await import('../../src/store/inbox-queries');
    // every match on one page (a page with no filter of its own)
    const matched = async (search: CaseFilter & { text: string }, upTo: number) =>
      (await countSearch(pool, search, { filter: {}, sort: '-openedAt', limit: 50 }, 'alice', upTo))?.pageIds.sort() ?? null;
    const scope = { site: [SITE, OTHER], text: 'DOCK' };
    expect(await matched({ ...scope, status: ['awaiting_approval'] }, 10)).toEqual(named('dock', 'other'));
    expect(await matched(scope, 10)).toEqual(named('dock', 'closed', 'other'));
    expect(await matched({ ...scope, visibleSites: [OTHER] }, 10)).toEqual(named('other'));
    // three match: a limit of two says "more", a limit of three gives them
    expect(await matched(scope, 2)).toBeNull();
    expect(await matched(scope, 3)).toHaveLength(3);
    // resolved, the ids are the filter: the same page as the text
    const ids = (await matched({ ...scope, status: ['awaiting_approval'] }, 10))!;
    const byIds = await listCases(pool, { site: [SITE, OTHER], status: ['awaiting_approval'], matchedIds: ids }, { sort: '-openedAt', limit: 50 });
    expect(byIds.items.map((c) => c.id).sort()).toEqual(await found('DOCK', { status: ['awaiting_approval'] }));
  });

  it('is served by the trigram and source event indexes (the query is the indexed expression)', async () => {
    // A read model of this file's size is read with whatever index is cheapest (any partial
    // index on open cases serves "status <> 'closed'"), so the plans are asked of an empty copy of
    // the table that has only the search indexes, built from their own definitions.
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('CREATE TEMP TABLE discrepancies (LIKE public.discrepancies INCLUDING DEFAULTS INCLUDING GENERATED) ON COMMIT DROP');
      const { rows: defs } = await c.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'discrepancies'
           AND indexname IN ('discrepancies_search_grams_open', 'discrepancies_search_grams_closed', 'discrepancies_source_events')`,
      );
      expect(defs).toHaveLength(3);
      for (const { indexdef } of defs) await c.query(indexdef.replace(' ON public.discrepancies ', ' ON pg_temp.discrepancies '));
      await c.query('SET LOCAL search_path = pg_temp, public');
      await c.query('SET LOCAL enable_seqscan = off');
      const { caseConditions } = await import('../../src/store/discrepancy-queries');
      const plan = async (filter: CaseFilter) => {
        const params: unknown[] = [];
        const where = caseConditions(filter, (v) => (params.push(v), `$${params.length}`));
        return (await c.query(`EXPLAIN SELECT id FROM discrepancies WHERE ${where.join(' AND ')}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
      };
      const any = await plan({ text: 'DOCK-7' });
      expect(any).toContain('discrepancies_search_grams_open');
      expect(any).toContain('discrepancies_search_grams_closed');
      expect(any).toContain('discrepancies_source_events');
      // the inbox searches open cases: only the open half of the trigram index is read
      const open = await plan({ text: 'DOCK-7', status: ['awaiting_approval', 'opened'] });
      expect(open).toContain('discrepancies_search_grams_open');
      expect(open).not.toContain('discrepancies_search_grams_closed');
      const closed = await plan({ text: 'DOCK-7', status: ['closed'] });
      expect(closed).toContain('discrepancies_search_grams_closed');
      expect(closed).not.toContain('discrepancies_search_grams_open');
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  });
});

describe('the queue by SLA left over a few sites', () => {
  const OPEN = ['opened', 'gathering_evidence', 'awaiting_recount', 'awaiting_approval'];
  const SLA_A = uniq('QA').slice(0, 12);
  const SLA_B = uniq('QB').slice(0, 12);

  beforeAll(async () => {
    // deadlines interleaved across the two sites, some shared (ties by id), some none (last)
    for (let i = 0; i < 9; i++) {
      await insertCase(pool, {
        report: { site: i % 2 ? SLA_A : SLA_B, sku: `SKU-SLA-${i}` },
        slaDeadline: i % 4 === 3 ? undefined : new Date(Date.parse('2026-05-01T00:00:00Z') + (i % 3) * 3_600_000).toISOString(),
        status: i === 8 ? 'closed' : 'awaiting_approval',
      });
    }
  });

  const pages = async (filter: CaseFilter, limit: number) => {
    const ids: string[] = [];
    let after;
    for (let n = 0; n < 20; n++) {
      const page = await listCases(pool, filter, { sort: 'slaDeadline', limit, after });
      ids.push(...page.items.map((c) => c.id));
      if (!page.next) return ids;
      after = page.next;
    }
    throw new Error('paging did not end');
  };

  it('pages site by site and merged gives what one pass over all of them gives, in order, through ties', async () => {
    const many = [SLA_A, SLA_B, ...Array.from({ length: 16 }, (_, i) => `NONE-${i}`)];
    const oneQuery = await pages({ status: OPEN, site: many }, 50);
    expect(oneQuery).toHaveLength(8);
    const rows = (await pool.query('SELECT id, site, sla_deadline FROM discrepancies WHERE id = ANY($1)', [oneQuery])).rows;
    const deadline = new Map(rows.map((r) => [r.id, r.sla_deadline ? Date.parse(r.sla_deadline) : Infinity]));
    const sorted = [...oneQuery].sort((a, b) => deadline.get(a)! - deadline.get(b)! || (a < b ? -1 : 1));
    expect(oneQuery).toEqual(sorted);
    for (const limit of [1, 2, 3, 50]) {
      expect(await pages({ status: OPEN, site: [SLA_A, SLA_B] }, limit)).toEqual(oneQuery);
      expect(await pages({ status: OPEN, visibleSites: [SLA_B, SLA_A] }, limit)).toEqual(oneQuery);
    }
    // a chosen site outside the visible ones shows nothing of it
    const siteOf = new Map(rows.map((r) => [r.id, r.site]));
    expect(await pages({ status: OPEN, site: [SLA_A, SLA_B], visibleSites: [SLA_A, SITE] }, 2)).toEqual(oneQuery.filter((id) => siteOf.get(id) === SLA_A));
  });

  it("the inbox's queue reads the same pages as whole cases do, with the fields its rows show", async () => {
    const shown = (c: CaseRow) => ({
      id: c.id, kind: c.kind, site: c.site, sku: c.sku, location: c.location, status: c.status, severity: c.severity,
      ownerRole: c.ownerRole, assignee: c.assignee, slaDeadline: c.slaDeadline, variance: c.variance, valueAtRisk: c.valueAtRisk, priority: c.priority,
    });
    // two sites walked one by one, one site, and every status (the one-pass plan): 8, 4 and 9 cases
    const filters: [CaseFilter, number][] = [[{ status: OPEN, site: [SLA_A, SLA_B] }, 8], [{ status: OPEN, site: [SLA_A] }, 4], [{ site: [SLA_A, SLA_B] }, 9]];
    for (const [filter, cases] of filters) {
      for (const limit of [2, 50]) {
        let after: CaseCursor | undefined;
        let seen = 0;
        for (let n = 0; n < 20; n++) {
          const whole = await listCases(pool, filter, { sort: 'slaDeadline', limit, after });
          const queue = await listQueue(pool, filter, { sort: 'slaDeadline', limit, after });
          expect(queue.items).toEqual(whole.items.map(shown));
          expect(queue.next).toEqual(whole.next);
          seen += queue.items.length;
          if (!whole.next) break;
          after = whole.next;
        }
        expect(seen).toBe(cases);
      }
    }
  });
});

describe('queue counts', () => {
  const scope: CaseFilter = { visibleSites: [SITE] };

  it('counts a small scope exactly, by every facet', async () => {
    const counts = await countQueue(pool, scope, 'alice');
    expect(counts).toEqual({
      total: 3, breached: 1, mine: 1, estimatedAsOf: null, searchOver: null,
      byStatus: { awaiting_approval: 3 }, bySeverity: { review: 2, high: 1 }, byKind: { count_variance: 3 }, bySite: { [SITE]: 3 },
    });
  });

  it('answers a large scope from the snapshot of open cases, says so, and counts "mine" exactly', async () => {
    const own = createPool(loadConfig().DATABASE_URL, 2);
    try {
      const exact = await countQueue(own, scope, 'alice');
      const estimated = await countQueue(own, scope, 'alice', { exactUpTo: 2 });
      expect(estimated.estimatedAsOf).not.toBeNull();
      expect({ ...estimated, estimatedAsOf: null }).toEqual(exact);
      // a new case: "mine" at once; the rest once the snapshot is recounted (in the background)
      await insertCase(own, { report: { site: SITE, sku: 'SKU-NEW-1' }, assignee: 'alice' });
      const stale = await countQueue(own, scope, 'alice', { exactUpTo: 2, snapshotMaxAgeMs: 0 });
      expect(stale.mine).toBe(2);
      expect(stale.total).toBe(3);
      const fresh = await eventually(async () => {
        const c = await countQueue(own, scope, 'alice', { exactUpTo: 2, snapshotMaxAgeMs: 60_000 });
        return c.total === 4 && c;
      }, 10_000);
      expect(Date.parse(fresh.estimatedAsOf!)).toBeGreaterThan(Date.parse(stale.estimatedAsOf!));
      // a search is counted exactly whatever the scope's size
      const searched = await countQueue(own, { ...scope, text: 'SKU-NEW' }, 'alice', { exactUpTo: 0 });
      expect(searched).toMatchObject({ total: 1, mine: 1, estimatedAsOf: null });
    } finally {
      await own.end();
    }
  });

  it('counts and pages a search as it resolves it: the same counts and pages as the search as text, or nothing when too broad', async () => {
    const { countSearch } = await import('../../src/store/inbox-queries');
    const within = { visibleSites: [SITE, OTHER] };
    const cases: [string, readonly string[] | undefined, CaseFilter][] = [
      ['DOCK', OPEN_CASE_STATUSES, { status: OPEN_CASE_STATUSES }],
      ['DOCK', undefined, { status: ['closed', 'awaiting_approval'] }],
      ['SKU', OPEN_CASE_STATUSES, { status: OPEN_CASE_STATUSES, severity: ['review'] }],
      ['EV-1001', OPEN_CASE_STATUSES, { status: OPEN_CASE_STATUSES }],
    ];
    for (const [text, status, chosen] of cases) {
      const filter: CaseFilter = { ...within, ...chosen, text };
      // one case a page, page after page: each page from its own ids is the page of the text
      let after: Awaited<ReturnType<typeof listCases>>['next'] | undefined;
      let pages = 0;
      do {
        const page = { sort: 'slaDeadline' as const, limit: 1, after: after ?? undefined };
        const counted = (await countSearch(pool, { ...within, text, status }, { filter, ...page }, 'alice', 10))!;
        expect(counted.counts).toEqual(await countQueue(pool, { ...within, text }, 'alice'));
        const fromAll = await listCases(pool, filter, page);
        const fromPage = await listCases(pool, { ...filter, text: undefined, matchedIds: counted.pageIds }, page);
        expect(fromPage).toEqual(fromAll);
        after = fromAll.next;
        pages++;
      } while (after);
      expect(pages).toBeGreaterThanOrEqual(1);
    }
    // the closed case is on a page of closed cases, not in the counts (open cases)
    const closedPage = { filter: { ...within, status: ['closed'] }, sort: 'slaDeadline' as const, limit: 50 };
    const withClosed = (await countSearch(pool, { ...within, text: 'DOCK-3' }, closedPage, 'alice', 10))!;
    expect(withClosed.pageIds).toEqual([ids.closed]);
    expect(withClosed.counts).toMatchObject({ total: 2, byStatus: { awaiting_approval: 2 }, bySite: { [SITE]: 1, [OTHER]: 1 } });
    const openPage = { filter: { ...within, status: OPEN_CASE_STATUSES }, sort: 'slaDeadline' as const, limit: 50 };
    expect((await countSearch(pool, { ...within, text: 'B-02', status: OPEN_CASE_STATUSES }, openPage, 'alice', 10))!.counts.mine).toBe(1);
    expect(await countSearch(pool, { ...within, text: 'DOCK' }, openPage, 'alice', 2)).toBeNull();
  });

  it('the ops scope (breached, roles) filters the snapshot the same way as the exact count', async () => {
    const own = createPool(loadConfig().DATABASE_URL, 2);
    try {
      for (const s of [{ ...scope, breached: true }, { visibleSites: [SITE, OTHER], ownerRoles: ['site_supervisor'] }] as CaseFilter[]) {
        const exact = await countQueue(own, s, 'bob');
        const estimated = await countQueue(own, s, 'bob', { exactUpTo: 0 });
        expect(exact.total).toBe(1);
        expect({ ...estimated, estimatedAsOf: null }).toEqual(exact);
      }
    } finally {
      await own.end();
    }
  });
});
