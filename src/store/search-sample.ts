import type { Pool } from 'pg';
import { keptPerPool } from './kept-per-pool';

/**
 * A sample of the read model, as free-text search reads it, kept per pool and refreshed in the
 * background (like the facet snapshot). It answers two questions before the trigram index is
 * asked anything:
 * - which of a search's trigrams few cases share (indexGrams): the index keeps a posting list per
 *   trigram, and a search for "SKU-37" read those of "sku" (every case: 300 pages at a million
 *   cases) to narrow nothing; its rare trigrams find the same rows from a few pages;
 * - whether a search surely matches far more cases than are counted (surelyBroad): finding that
 *   out from the index costs the bitmap of every match (30–60 ms at a million cases). A search of
 *   open cases is judged by open cases drawn one by one, since they are a small part of the pages.
 */
export interface SearchSample {
  /** when it was taken (ms since the epoch) */
  at: number;
  /** how many sampled cases hold each trigram of the index's text (gramsOf) */
  gramCases: ReadonlyMap<string, number>;
  /** in the order of their pages */
  cases: SampledCase[];
  /** the cases in the read model when sampled (the planner's count); 0 when unknown */
  total: number;
  /**
   * Open cases alone, drawn one by one (not by page) among all of them: the inbox searches open
   * cases, a share of the read model that shrinks as closed ones pile up. `total`: the open cases
   * when sampled, counted.
   */
  open: { cases: SampledCase[]; total: number };
}

/** A sampled case: its search text (`search_text`), and what its scope filters on. */
export interface SampledCase {
  /** the fields a search looks in, in lower case, apart by FIELD_SEPARATOR */
  text: string;
  site: string;
  status: string;
  ownerRole: string | null;
  /** the sample's unit: the heap page it was read from (its rows were written together), or its own for a case drawn alone */
  block: number;
}

/**
 * What separates a case's fields in its stored search text (the `search_text` column,
 * migrations/190): no search contains it, so a substring of that text is a match within one field.
 */
export const FIELD_SEPARATOR = '\x1f';

/**
 * The text the trigram index reads, `search_grams` (migrations/190), as SQL of a text expression:
 * lower case, every character but letters, digits and the separator made a "q", so "sku-37" is
 * one word whose trigrams span the dash. It holds no LIKE wildcard.
 */
export const gramsSql = (text: string): string => `regexp_replace(lower(${text}), '[^[:alnum:]\\x1f]', 'q', 'g')`;

/** Rows sampled (random pages: tsm_system_rows, migrations/180). */
export const SAMPLE_ROWS = 2_000;
/** Fewer rows than this say nothing about which trigrams are rare: the index is asked the whole text. */
const MIN_SAMPLE = 200;
/** A trigram in this share of the sampled cases or more is common: asking the index for it narrows little. */
const COMMON_SHARE = 0.1;
/** The rarest this many trigrams are asked for: each is a posting list read, and two rare ones leave few candidates. */
const MAX_GRAMS = 3;
export const SEARCH_SAMPLE_MAX_AGE_MS = 300_000;

/**
 * The trigrams of a text as `search_grams` holds them, where this side can tell: runs of ASCII
 * letters, digits and punctuation (made "q"), three at a time. A character beyond ASCII breaks a
 * run, since its lower case is the database's to say.
 */
export function gramsOf(text: string): string[] {
  const grams = new Set<string>();
  for (const run of text.split(/[^\x20-\x7e]+/)) addTrigrams(run.toLowerCase().replace(/[^a-z0-9]/g, 'q'), grams);
  return [...grams];
}

/** Every three characters in a row of `word` into `into`. */
function addTrigrams(word: string, into: Set<string>): void {
  for (let i = 0; i + 3 <= word.length; i++) into.add(word.slice(i, i + 3));
}

/** A sampled row (`search_text`, `site`, `status`, `owner_role`) as a SampledCase of unit `block`. */
const sampledCase = (r: Record<string, string | null>, block: number): SampledCase => ({
  text: r.search_text as string,
  site: r.site as string,
  status: r.status as string,
  ownerRole: r.owner_role,
  block,
});

/** Open cases drawn at random, one by one, and how many are open. */
async function sampleOpenCases(pool: Pool, sampleRows: number): Promise<SearchSample['open']> {
  // the ids from an index of open cases alone (index-only), then the drawn rows: closed cases are never read
  const { rows } = await pool.query(
    `SELECT d.search_text, d.site, d.status, d.owner_role, pick.total
     FROM (SELECT id, (SELECT count(*) FROM discrepancies WHERE status <> 'closed') AS total
           FROM discrepancies WHERE status <> 'closed' ORDER BY random() LIMIT $1) pick
     JOIN discrepancies d ON d.id = pick.id AND d.status <> 'closed'`,
    [sampleRows],
  );
  return {
    cases: rows.map((r, i) => sampledCase(r, i)),
    total: rows.length > 0 ? Number(rows[0].total) : 0,
  };
}

/** Samples the read model: its cases' search fields and scope, and how many hold each trigram. */
export async function takeSearchSample(pool: Pool, sampleRows = SAMPLE_ROWS): Promise<SearchSample> {
  const at = Date.now();
  // the two samples on two connections at once: the first search of an API process waits for both
  const [{ rows }, open] = await Promise.all([
    pool.query(
      `SELECT search_text, search_grams, site, status, owner_role, (ctid::text::point)[0]::bigint AS block,
              (SELECT reltuples FROM pg_class WHERE oid = 'discrepancies'::regclass) AS total
       FROM discrepancies TABLESAMPLE SYSTEM_ROWS(${sampleRows})`,
    ),
    sampleOpenCases(pool, sampleRows),
  ]);
  const cases: SampledCase[] = rows.map((r) => sampledCase(r, Number(r.block)));
  // page by page: surelyBroad reads them so
  cases.sort((a, b) => a.block - b.block);
  const gramCases = new Map<string, number>();
  for (const r of rows) {
    const held = new Set<string>();
    for (const field of (r.search_grams as string).split(FIELD_SEPARATOR)) addTrigrams(field, held);
    for (const g of held) gramCases.set(g, (gramCases.get(g) ?? 0) + 1);
  }
  // reltuples is -1 before the table's first ANALYZE, and a guess after: at least what was sampled
  const total = rows.length > 0 && Number(rows[0].total) >= cases.length ? Number(rows[0].total) : 0;
  return { at, gramCases, cases, total, open };
}

const NONE: SearchSample = { at: 0, gramCases: new Map(), cases: [], total: 0, open: { cases: [], total: 0 } };
const keptSample = keptPerPool(takeSearchSample, NONE);

/**
 * The latest sample: taken now when there is none, else the one held, taken again in the
 * background once older than `maxAgeMs`. A failed sample is an empty one: the index is asked for
 * a search's whole text, and no search is surely broad.
 */
export const searchSample = (pool: Pool, maxAgeMs = SEARCH_SAMPLE_MAX_AGE_MS): Promise<SearchSample> => keptSample(pool, maxAgeMs);

/**
 * The trigrams the index should be asked for, each alone: the rarest few of `text`'s among the
 * sampled cases, or none ([]: ask for the whole text) when the sample is too small or every one
 * of them is common. Each is a part of the text's, so whatever matches the text holds them: the
 * search's own condition still decides.
 */
export function indexGrams(text: string, sample: SearchSample): string[] {
  const sampled = sample.cases.length;
  if (sampled < MIN_SAMPLE) return [];
  const share = (g: string) => (sample.gramCases.get(g) ?? 0) / sampled;
  return gramsOf(text)
    .filter((g) => share(g) < COMMON_SHARE)
    .sort((a, b) => share(a) - share(b))
    .slice(0, MAX_GRAMS);
}

/** Sampled matches below this say too little to call a search broad. */
const MIN_HITS = 30;

/**
 * Whether a search surely matches more than `upTo` cases within a scope (its sites, roles and
 * statuses: open cases unless `status` is absent), by the sample: at least MIN_HITS sampled
 * matches, and an estimate three standard deviations low still above `upTo`. A scope of open
 * cases is estimated from the open cases drawn one by one; any other from the pages sampled,
 * whose rows were often written together (one receipt's lines): there the deviation is the
 * pages' (a ratio estimate over clusters), so matches crowded in a few pages widen it. False
 * means "ask the index", never "narrow".
 */
export function surelyBroad(
  sample: SearchSample,
  scope: { visibleSites?: readonly string[]; ownerRoles?: readonly string[]; status?: readonly string[] },
  text: string,
  upTo: number,
): boolean {
  const needle = text.toLowerCase();
  if (needle.includes(FIELD_SEPARATOR)) return false;
  const among = (list: readonly string[] | undefined): ((v: string | null) => boolean) => {
    if (list === undefined) return () => true;
    const set = new Set(list);
    return (v) => v !== null && set.has(v);
  };
  const [status, site, role] = [among(scope.status), among(scope.visibleSites), among(scope.ownerRoles)];
  const openOnly = scope.status !== undefined && !scope.status.includes('closed');
  const drawn = openOnly ? sample.open : sample;
  return cautiousEstimate(drawn, (c) => status(c.status) && site(c.site) && role(c.ownerRole) && c.text.includes(needle)) > upTo;
}

/**
 * How many cases of the population `drawn` was taken from match, three standard deviations low
 * (0 below MIN_HITS sampled matches, or with nothing to go by). The cases come unit by unit.
 */
function cautiousEstimate(drawn: { cases: SampledCase[]; total: number }, matches: (c: SampledCase) => boolean): number {
  const { cases, total } = drawn;
  const sampled = cases.length;
  if (total === 0 || sampled === 0) return 0;
  // per unit: rows sampled, and matches
  const rows: number[] = [];
  const unitHits: number[] = [];
  let hits = 0;
  cases.forEach((c, i) => {
    if (i === 0 || c.block !== cases[i - 1].block) {
      rows.push(0);
      unitHits.push(0);
    }
    rows[rows.length - 1] += 1;
    if (matches(c)) {
      unitHits[unitHits.length - 1] += 1;
      hits += 1;
    }
  });
  if (hits < MIN_HITS) return 0;
  const share = hits / sampled;
  const n = rows.length;
  let spread = 0;
  for (let b = 0; b < n; b++) spread += (unitHits[b] - share * rows[b]) ** 2;
  // the share's variance over n units of sampled/n rows each, less what a sample of the whole
  // population leaves (nothing: it is then exact); one page of a larger table says nothing of it
  const whole = sampled >= total;
  if (n < 2 && !whole) return 0;
  const variance = whole ? 0 : (spread / (n - 1) / (n * (sampled / n) ** 2)) * (1 - sampled / total);
  return (share - 3 * Math.sqrt(variance)) * total;
}
