import type { Pool, PoolClient } from 'pg';
import { loadConfig } from '../../src/config';
import { OPEN_CASE_STATUSES } from '../../src/domain';
import { createPool } from '../../src/store/db';
import { countSearch } from '../../src/store/inbox-queries';
import { indexWords, surelyBroad, takeSearchSample, wordsOf, type SearchSample } from '../../src/store/search-sample';

// A search that contains a word most cases share ("SKU-" of a catalogue) asks the trigram index
// for its other words only; the search's own condition still decides what matches.

describe('the words a search asks the index for', () => {
  const common = new Set(['acme', 'disc', 'bin']);

  it('are the words of the text as the search sees them: letters and digits, in lower case', () => {
    expect(wordsOf('ACME-1850/b_2 Zoë')).toEqual(['acme', '1850', 'b', '2', 'zoë']);
  });

  it('leave out a common word, or a part of one, and words too short for trigrams', () => {
    expect(indexWords('ACME-1850', common)).toEqual(['1850']);
    expect(indexWords('acm 18501 xyz', common)).toEqual(['18501', 'xyz']);
    expect(indexWords('BIN-7 ACME-42', common)).toEqual([]);
  });

  it('are the whole text when it has no common word, or nothing but common and short words', () => {
    expect(indexWords('PO-1850', common)).toEqual([]);
    expect(indexWords('ACME', common)).toEqual([]);
    expect(indexWords('ACME-1850', new Set())).toEqual([]);
  });
});

describe('common words learnt from the read model, and searches surely too broad to count', () => {
  // a private copy of the read model (a temporary table with the search indexes), so the sample
  // and the plans see only these rows
  let pool: Pool;
  let c: PoolClient;
  const open = (id: string, sku: string, location: string) =>
    c.query(
      `INSERT INTO discrepancies (id, workflow_id, dedupe_key, kind, site, sku, location, status, expected_qty, observed_qty,
         variance, unit_cost, value_at_risk, sku_class, source, opened_at, detected_at, row_version, owner_role)
       VALUES ($1, 'disc-' || $1, $1, 'count_variance', 'SW-1', $2, $3, 'awaiting_approval', 10, 9, -1, 1, 1, 'B', 'wms', now(), now(), 1, 'inventory_control')`,
      [id, sku, location],
    );

  beforeAll(async () => {
    pool = createPool(loadConfig().DATABASE_URL, 1);
    c = await pool.connect();
    await c.query('BEGIN');
    await c.query('CREATE TEMP TABLE discrepancies (LIKE public.discrepancies INCLUDING DEFAULTS) ON COMMIT DROP');
    const { rows: defs } = await c.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'discrepancies'
         AND indexname IN ('discrepancies_search_open', 'discrepancies_search_closed', 'discrepancies_source_events')`,
    );
    for (const { indexdef } of defs) await c.query(indexdef.replace(' ON public.discrepancies ', ' ON pg_temp.discrepancies '));
    await c.query('SET LOCAL search_path = pg_temp, public');
    for (let g = 1; g <= 300; g++) await open(`case-${g}`, `ACME-${g}`, `BIN-${g % 40}`);
    await open('case-sku', 'ACME-1850', 'BIN-7');
    await open('case-longer', 'ACME-18501', 'BIN-8');
    await open('case-location', 'ACME-9', 'BIN-1850');
  });
  afterAll(async () => {
    await c.query('ROLLBACK');
    c.release();
    await pool.end();
  });
  const db = () => c as unknown as Pool;
  // a page with no filter of its own: every match
  const everyMatch = { filter: {}, sort: 'slaDeadline' as const, limit: 100 };

  it('are the words most sampled cases share, not their numbers', async () => {
    const { commonWords } = await takeSearchSample(db(), 1000);
    expect([...commonWords].sort()).toEqual(['acme', 'bin', 'case', 'disc']);
  });

  it('says nothing from a sample too small to tell', async () => {
    expect((await takeSearchSample(db(), 50)).commonWords.size).toBe(0);
  });

  it('a search narrowed by its rare word finds what the whole text matches, in the fields that hold it', async () => {
    const ids = async (text: string) => (await countSearch(db(), { text, status: OPEN_CASE_STATUSES }, everyMatch, 'alice', 100))?.pageIds.sort();
    expect(await ids('ACME-1850')).toEqual(['case-longer', 'case-sku']);
    expect(await ids('bin-1850')).toEqual(['case-location']);
    // "ACME-9" then "BIN-1850": both words are in the case, but not as one field's part
    expect(await ids('ACME-9 BIN-1850')).toEqual([]);
  });

  it('a search with a common word reads the trigram index by its other words only', async () => {
    await c.query('SET LOCAL enable_seqscan = off');
    let plan = '';
    const explaining = {
      query: async (sql: string, params: unknown[] = []) => {
        if (sql.includes('TABLESAMPLE')) return c.query(sql, params);
        plan = (await c.query(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
        return { rows: [] };
      },
    } as unknown as Pool;
    await countSearch(explaining, { text: 'ACME-1850', status: OPEN_CASE_STATUSES }, everyMatch, 'alice', 100);
    // the trigram index's condition (the source event index is asked for the whole text, as ever)
    const trigram = plan.split('\n').filter((l) => l.includes('Index Cond') && l.includes('~~*')).join('\n');
    expect(trigram).toContain("'%1850%'");
    expect(trigram).not.toMatch(/acme/i);
  });

  it('a search is surely broad when many sampled cases in scope match it, far above the count limit', async () => {
    await c.query('ANALYZE discrepancies');
    const sample = await takeSearchSample(db(), 1000);
    expect(sample.total).toBe(303);
    const open = { status: ['awaiting_approval'] };
    // "acme-1" is in 112 of the 303 cases (ACME-1, ACME-10 … ACME-19, ACME-100 … ACME-199, ACME-18501)
    expect(surelyBroad(sample, open, 'ACME-1', 5)).toBe(true);
    // not ten times a limit of 20 by the cautious estimate (112 − 3√112 ≈ 80)
    expect(surelyBroad(sample, open, 'ACME-1', 20)).toBe(false);
    // few sampled matches say nothing, however small the limit
    expect(surelyBroad(sample, open, 'ACME-1850', 0)).toBe(false);
    // out of scope: another site, another role, closed cases only
    expect(surelyBroad(sample, { ...open, visibleSites: ['SW-2'] }, 'ACME-1', 5)).toBe(false);
    expect(surelyBroad(sample, { ...open, ownerRoles: ['site_supervisor'] }, 'ACME-1', 5)).toBe(false);
    expect(surelyBroad(sample, { status: ['closed'] }, 'ACME-1', 5)).toBe(false);
    expect(surelyBroad(sample, { visibleSites: ['SW-1'], ownerRoles: ['inventory_control'] }, 'acme-1', 5)).toBe(true);
  });

  it('no sample, no claim', () => {
    const none: SearchSample = { at: 0, commonWords: new Set(), cases: [], total: 0 };
    expect(surelyBroad(none, {}, 'A', 0)).toBe(false);
  });
});
