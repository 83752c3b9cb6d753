import type { Pool, PoolClient } from 'pg';
import { loadConfig } from '../../src/config';
import { OPEN_CASE_STATUSES } from '../../src/domain';
import { createPool } from '../../src/store/db';
import { countSearch } from '../../src/store/inbox-queries';
import { gramsOf, indexGrams, surelyBroad, takeSearchSample, type SampledCase, type SearchSample } from '../../src/store/search-sample';

// A search asks the trigram index for its rarest trigrams only ("SKU-" of a catalogue is in every
// case); the search's own condition still decides what matches.

describe('the trigrams a search asks the index for', () => {
  // a sample of 1,000 cases: skus "acme-0" … "acme-499", a fifth of them at "bin-7", the others
  // at "dock-<n>"; one case also holds "xyz-1850"
  const sampleOf = (texts: string[]): SearchSample => {
    const gramCases = new Map<string, number>();
    for (const t of texts) for (const g of gramsOf(t)) gramCases.set(g, (gramCases.get(g) ?? 0) + 1);
    const cases: SampledCase[] = texts.map((t, i) => ({ text: t, site: 'S', status: 'opened', ownerRole: null, block: i }));
    return { at: 1, gramCases, cases, total: texts.length, open: { cases: [], total: 0 } };
  };
  const sample = sampleOf(Array.from({ length: 1000 }, (_, i) => `acme-${i % 500} ${i % 5 === 0 ? 'bin-7' : `dock-${i}`}${i === 1 ? ' xyz-1850' : ''}`));

  it('are the text in lower case, punctuation and spaces made "q" (one word to the index), three characters at a time', () => {
    expect(gramsOf('ACME-18 b_2')).toEqual(['acm', 'cme', 'meq', 'eq1', 'q18', '18q', '8qb', 'qbq', 'bq2']);
    // a character beyond ASCII is the database's to put in lower case: no trigram spans it
    expect(gramsOf('Zoë-12')).toEqual(['q12']);
    expect(gramsOf('ab')).toEqual([]);
  });

  it('are the rarest few, none that most cases share', () => {
    // "acm", "cme", "meq" are in every case, "eq1" in a fifth (acme-1, acme-10 … 19, acme-100 … 199);
    // "850" in one (xyz-1850), "185" in three, "q18" in some twenty (acme-18, acme-180 … 189)
    const asked = indexGrams('ACME-1850', sample);
    expect(asked[0]).toBe('850');
    expect([...asked].sort()).toEqual(['185', '850', 'q18']);
    // a word too short for a trigram of its own narrows with the dash before it
    expect(indexGrams('XYZ-7', sample)).toEqual(expect.arrayContaining(['xyz', 'yzq', 'zq7']));
  });

  it('are none (the whole text) when every trigram is common, the text too short, or the sample too small', () => {
    expect(indexGrams('ACME-', sample)).toEqual([]);
    // "bin", "inq", "nq7": a fifth of the cases each
    expect(indexGrams('BIN-7', sample)).toEqual([]);
    expect(indexGrams('A1', sample)).toEqual([]);
    expect(indexGrams('ACME-1850', sampleOf(['acme-1', 'acme-2']))).toEqual([]);
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
    await c.query('CREATE TEMP TABLE discrepancies (LIKE public.discrepancies INCLUDING DEFAULTS INCLUDING GENERATED) ON COMMIT DROP');
    const { rows: defs } = await c.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'discrepancies'
         AND indexname IN ('discrepancies_search_grams_open', 'discrepancies_search_grams_closed', 'discrepancies_source_events')`,
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

  it('counts the sampled cases that hold each trigram, as the index reads the text', async () => {
    const { gramCases, cases } = await takeSearchSample(db(), 1000);
    expect(cases).toHaveLength(303);
    // every case's sku "ACME-…", and its workflow id "disc-case-…": the dash is a letter to the index
    expect(gramCases.get('meq')).toBe(303);
    expect(gramCases.get('cqc')).toBe(303);
    // "BIN-7": the locations BIN-7 (g % 40 = 7: 8 of 300) and the case "case-sku" (BIN-7)
    expect(gramCases.get('nq7')).toBe(8 + 1);
    // a trigram across two fields is none: the sku's end and the location's start
    expect(gramCases.has('0bi')).toBe(false);
  });

  it('says nothing from a sample too small to tell: the whole text is asked', async () => {
    expect(indexGrams('ACME-1850', await takeSearchSample(db(), 50))).toEqual([]);
  });

  it('a search narrowed by its rare trigrams finds what the whole text matches, in the fields that hold it', async () => {
    const ids = async (text: string) => (await countSearch(db(), { text, status: OPEN_CASE_STATUSES }, everyMatch, 'alice', 100))?.pageIds.sort();
    expect(await ids('ACME-1850')).toEqual(['case-longer', 'case-sku']);
    expect(await ids('bin-1850')).toEqual(['case-location']);
    // "ACME-9" then "BIN-1850": both words are in the case, but not as one field's part
    expect(await ids('ACME-9 BIN-1850')).toEqual([]);
  });

  it('a search reads the trigram index by its rare trigrams only', async () => {
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
    const trigram = plan.split('\n').filter((l) => l.includes('Index Cond') && l.includes('search_grams ~~')).join('\n');
    expect(trigram).toContain("'%850%'");
    expect(trigram).not.toMatch(/acm|cme|meq/i);
  });

  it('a search is surely broad when many sampled cases in scope match it, far above the count limit', async () => {
    await c.query('ANALYZE discrepancies');
    const sample = await takeSearchSample(db(), 1000);
    expect(sample.total).toBe(303);
    expect(sample.open.total).toBe(303);
    expect(sample.open.cases).toHaveLength(303);
    const open = { status: ['awaiting_approval'] };
    // "acme-1" is in 113 of the 303 cases (ACME-1, ACME-10 … ACME-19, ACME-100 … ACME-199, ACME-1850, ACME-18501);
    // the sample is the whole table, so the estimate is exact: broad when above the limit
    expect(surelyBroad(sample, open, 'ACME-1', 5)).toBe(true);
    expect(surelyBroad(sample, open, 'ACME-1', 112)).toBe(true);
    expect(surelyBroad(sample, open, 'ACME-1', 113)).toBe(false);
    // few sampled matches say nothing, however small the limit
    expect(surelyBroad(sample, open, 'ACME-1850', 0)).toBe(false);
    // out of scope: another site, another role, closed cases only
    expect(surelyBroad(sample, { ...open, visibleSites: ['SW-2'] }, 'ACME-1', 5)).toBe(false);
    expect(surelyBroad(sample, { ...open, ownerRoles: ['site_supervisor'] }, 'ACME-1', 5)).toBe(false);
    expect(surelyBroad(sample, { status: ['closed'] }, 'ACME-1', 5)).toBe(false);
    expect(surelyBroad(sample, { visibleSites: ['SW-1'], ownerRoles: ['inventory_control'] }, 'acme-1', 5)).toBe(true);
  });

  it('is cautious when the sampled matches crowd in a few pages (rows written together)', () => {
    // 10,000 rows from 400 pages of a million-case table; 100 of them match, in 100 pages or in 4
    const sampleWith = (matchingPages: number) => {
      const cases: SampledCase[] = [];
      for (let page = 0; page < 400; page++) {
        for (let row = 0; row < 25; row++) {
          const matches = page < matchingPages && row < 100 / matchingPages;
          cases.push({ text: matches ? 'dock-9' : 'bin-1', site: 'S', status: 'opened', ownerRole: null, block: page });
        }
      }
      return { at: 1, gramCases: new Map(), cases, total: 1_000_000, open: { cases: [], total: 0 } } satisfies SearchSample;
    };
    // about 10,000 matches either way; spread, the low estimate is still above 2,000
    expect(surelyBroad(sampleWith(100), {}, 'DOCK-9', 2_000)).toBe(true);
    // crowded, the pages disagree too much to be sure of any of it
    expect(surelyBroad(sampleWith(4), {}, 'DOCK-9', 2_000)).toBe(false);
    // one page of a large table tells nothing of how the others vary
    const onePage: SearchSample = {
      at: 1,
      gramCases: new Map(),
      cases: Array.from({ length: 40 }, () => ({ text: 'dock-9', site: 'S', status: 'opened', ownerRole: null, block: 7 })),
      total: 1_000_000,
      open: { cases: [], total: 0 },
    };
    expect(surelyBroad(onePage, {}, 'DOCK-9', 2_000)).toBe(false);
  });

  it('estimates a search among open cases from open cases drawn one by one', () => {
    // a million cases, a tenth of them open; the pages sampled hold few open ones (10 matches),
    // the open cases drawn alone 100 matches in 2,000: about 5,000 of the 100,000 open cases
    const cases: SampledCase[] = Array.from({ length: 2_000 }, (_, i) => ({ text: i < 10 ? 'dock-9' : 'bin-1', site: 'S', status: i < 200 ? 'awaiting_approval' : 'closed', ownerRole: null, block: Math.floor(i / 25) }));
    const drawn: SampledCase[] = Array.from({ length: 2_000 }, (_, i) => ({ text: i % 20 === 0 ? 'dock-9' : 'bin-1', site: 'S', status: 'awaiting_approval', ownerRole: null, block: i }));
    const sample: SearchSample = { at: 1, gramCases: new Map(), cases, total: 1_000_000, open: { cases: drawn, total: 100_000 } };
    expect(surelyBroad(sample, { status: OPEN_CASE_STATUSES }, 'DOCK-9', 2_000)).toBe(true);
    // the low estimate (about 3,500), not the 5,000 expected, is what must clear the limit
    expect(surelyBroad(sample, { status: OPEN_CASE_STATUSES }, 'DOCK-9', 4_000)).toBe(false);
    // closed cases in scope: the pages sampled decide, and 10 matches say nothing
    expect(surelyBroad(sample, {}, 'DOCK-9', 2_000)).toBe(false);
    expect(surelyBroad(sample, { status: ['closed'] }, 'DOCK-9', 0)).toBe(false);
    // no open case drawn: no claim about open cases
    expect(surelyBroad({ ...sample, open: { cases: [], total: 0 } }, { status: OPEN_CASE_STATUSES }, 'DOCK-9', 0)).toBe(false);
  });

  it('draws open cases alone, one by one, and counts them', async () => {
    for (let g = 1; g <= 40; g++) {
      await open(`closed-${g}`, `ACME-${g}`, 'BIN-1');
      await c.query(`UPDATE discrepancies SET status = 'closed' WHERE id = $1`, [`closed-${g}`]);
    }
    const sample = await takeSearchSample(db(), 50);
    expect(sample.open.total).toBe(303);
    expect(sample.open.cases).toHaveLength(50);
    expect(sample.open.cases.every((x) => x.status === 'awaiting_approval')).toBe(true);
    // each case its own unit, none twice
    expect(new Set(sample.open.cases.map((x) => x.block)).size).toBe(50);
    expect(new Set(sample.open.cases.map((x) => x.text)).size).toBe(50);
    // drawn at random, not the first of an index: another sample holds other cases
    const again = await takeSearchSample(db(), 50);
    expect(again.open.cases.map((x) => x.text).sort()).not.toEqual(sample.open.cases.map((x) => x.text).sort());
  });

  it('no sample, no claim', () => {
    const none: SearchSample = { at: 0, gramCases: new Map(), cases: [], total: 0, open: { cases: [], total: 0 } };
    expect(surelyBroad(none, {}, 'A', 0)).toBe(false);
  });
});
