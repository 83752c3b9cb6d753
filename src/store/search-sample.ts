import type { Pool } from 'pg';
import { keptPerPool } from './kept-per-pool';

/**
 * A sample of the read model, as free-text search reads it, kept per pool and refreshed in the
 * background (like the facet snapshot). It answers two questions before the trigram index is
 * asked anything:
 * - which words most cases share (a catalogue's "SKU-", the "disc-" of every workflow id): the
 *   index keeps a posting list per trigram, and a search containing such a word reads those lists
 *   whole (300 pages at a million cases) to narrow nothing; its other words find the same rows
 *   from a few pages (indexWords);
 * - whether a search surely matches far more cases than are counted (surelyBroad): finding that
 *   out from the index costs the bitmap of every match (30–60 ms at a million cases).
 */
export interface SearchSample {
  /** when it was taken (ms since the epoch) */
  at: number;
  /** words in at least COMMON_SHARE of the sampled cases */
  commonWords: ReadonlySet<string>;
  cases: SampledCase[];
  /** the cases in the read model when sampled (the planner's count); 0 when unknown */
  total: number;
}

/** A sampled case: the fields a search looks in (lower case), and what its scope filters on. */
export interface SampledCase {
  fields: string[];
  site: string;
  status: string;
  ownerRole: string | null;
}

/**
 * The text free-text search looks in, as one string: migrations/160 indexes exactly this
 * expression with trigrams, so `ILIKE '%…%'` on it is an index scan, not a pass over every case.
 */
export const SEARCH_TEXT_SQL = `(sku || ' ' || coalesce(location, '') || ' ' || id || ' ' || workflow_id || ' ' || coalesce(reference->>'id', ''))`;

/** Rows sampled (random pages: tsm_system_rows, migrations/180). */
export const SAMPLE_ROWS = 2_000;
/** Fewer rows than this say nothing about what is common: no word is. */
const MIN_SAMPLE = 200;
/** A word in this share of the sampled cases is common. */
const COMMON_SHARE = 0.1;
export const SEARCH_SAMPLE_MAX_AGE_MS = 300_000;

/** Words as the search sees them: runs of letters and digits, in lower case. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Samples the read model: its cases' search fields and scope, and the words most of them share. */
export async function takeSearchSample(pool: Pool, sampleRows = SAMPLE_ROWS): Promise<SearchSample> {
  const at = Date.now();
  const { rows } = await pool.query(
    `SELECT sku, location, id, workflow_id, reference->>'id' AS reference_id, site, status, owner_role,
            (SELECT reltuples FROM pg_class WHERE oid = 'discrepancies'::regclass) AS total
     FROM discrepancies TABLESAMPLE SYSTEM_ROWS(${sampleRows})`,
  );
  const cases: SampledCase[] = rows.map((r) => ({
    fields: [r.sku, r.location, r.id, r.workflow_id, r.reference_id].filter((f): f is string => typeof f === 'string').map((f) => f.toLowerCase()),
    site: r.site,
    status: r.status,
    ownerRole: r.owner_role,
  }));
  const commonWords = new Set<string>();
  if (cases.length >= MIN_SAMPLE) {
    const seen = new Map<string, number>();
    for (const c of cases) for (const w of new Set(c.fields.flatMap(wordsOf))) seen.set(w, (seen.get(w) ?? 0) + 1);
    for (const [w, n] of seen) if (n >= cases.length * COMMON_SHARE) commonWords.add(w);
  }
  // reltuples is -1 before the table's first ANALYZE, and a guess after: at least what was sampled
  const total = rows.length > 0 && Number(rows[0].total) >= cases.length ? Number(rows[0].total) : 0;
  return { at, commonWords, cases, total };
}

const NONE: SearchSample = { at: 0, commonWords: new Set(), cases: [], total: 0 };
const keptSample = keptPerPool(takeSearchSample, NONE);

/**
 * The latest sample: taken now when there is none, else the one held, taken again in the
 * background once older than `maxAgeMs`. A failed sample is an empty one: no word is common and
 * no search is surely broad, so the index is asked as it would be without a sample.
 */
export const searchSample = (pool: Pool, maxAgeMs = SEARCH_SAMPLE_MAX_AGE_MS): Promise<SearchSample> => keptSample(pool, maxAgeMs);

/**
 * The words of `text` the trigram index should be asked for: all of it ([]) unless it has a
 * common word (or a part of one) and other words of three letters or more, which are then asked
 * for alone. Each is a part of the text, so whatever matches the text matches them: the search's
 * own condition still decides.
 */
export function indexWords(text: string, common: ReadonlySet<string>): string[] {
  if (common.size === 0) return [];
  const words = [...new Set(wordsOf(text))];
  const isCommon = (w: string) => common.has(w) || [...common].some((c) => c.includes(w));
  if (!words.some(isCommon)) return [];
  return words.filter((w) => w.length >= 3 && !isCommon(w));
}

/** Sampled matches below this say too little to call a search broad. */
const MIN_HITS = 30;
/** How far above the count limit the cautious estimate must be (pages are sampled whole, and their rows were written together). */
const BROAD_MARGIN = 10;

/**
 * Whether a search surely matches more than `upTo` cases within a scope (its sites, roles and
 * statuses: open cases unless `status` is absent), by the sample: at least MIN_HITS sampled
 * matches, and an estimate three standard deviations low still BROAD_MARGIN times `upTo`.
 * False means "ask the index", never "narrow".
 */
export function surelyBroad(
  sample: SearchSample,
  scope: { visibleSites?: readonly string[]; ownerRoles?: readonly string[]; status?: readonly string[] },
  text: string,
  upTo: number,
): boolean {
  if (sample.total === 0 || sample.cases.length === 0) return false;
  const needle = text.toLowerCase();
  const inScope = (c: SampledCase) =>
    (scope.status === undefined || scope.status.includes(c.status)) &&
    (scope.visibleSites === undefined || scope.visibleSites.includes(c.site)) &&
    (scope.ownerRoles === undefined || (c.ownerRole !== null && scope.ownerRoles.includes(c.ownerRole)));
  const hits = sample.cases.filter((c) => inScope(c) && c.fields.some((f) => f.includes(needle))).length;
  if (hits < MIN_HITS) return false;
  const cautious = (hits - 3 * Math.sqrt(hits)) * (sample.total / sample.cases.length);
  return cautious > BROAD_MARGIN * upTo;
}
