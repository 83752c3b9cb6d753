import type { Pool } from 'pg';

/**
 * Words most cases share in their search text: a catalogue's sku prefix ("SKU-"), the "disc-" of
 * every workflow id. The trigram index keeps a posting list per trigram, and a search that
 * contains such a word reads those lists whole (300 pages at a million cases) to narrow nothing;
 * its other words find the same rows from a few pages. Learnt from a sample of the read model,
 * kept per pool and refreshed in the background, like the facet snapshot.
 */
export interface CommonWords {
  /** when it was sampled (ms since the epoch) */
  at: number;
  words: ReadonlySet<string>;
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
export const COMMON_WORDS_MAX_AGE_MS = 300_000;

/** Words as the search sees them: runs of letters and digits, in lower case. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Samples the read model and counts in how many cases each word appears. */
export async function sampleCommonWords(pool: Pool, sampleRows = SAMPLE_ROWS): Promise<CommonWords> {
  const at = Date.now();
  const { rows } = await pool.query<{ t: string }>(`SELECT ${SEARCH_TEXT_SQL} AS t FROM discrepancies TABLESAMPLE SYSTEM_ROWS(${sampleRows})`);
  const words = new Set<string>();
  if (rows.length >= MIN_SAMPLE) {
    const cases = new Map<string, number>();
    for (const { t } of rows) for (const w of new Set(wordsOf(t))) cases.set(w, (cases.get(w) ?? 0) + 1);
    for (const [w, n] of cases) if (n >= rows.length * COMMON_SHARE) words.add(w);
  }
  return { at, words };
}

interface Held {
  current?: CommonWords;
  refreshing?: Promise<CommonWords>;
}
const held = new WeakMap<Pool, Held>();
const NONE: CommonWords = { at: 0, words: new Set() };

/**
 * The latest sample: taken now when there is none, else the one held, taken again in the
 * background once older than `maxAgeMs`. A failed sample reads as "no word is common" (the
 * search then asks the index for every word, as it would without a sample).
 */
export async function commonWords(pool: Pool, maxAgeMs = COMMON_WORDS_MAX_AGE_MS): Promise<ReadonlySet<string>> {
  let h = held.get(pool);
  if (!h) held.set(pool, (h = {}));
  const state = h;
  const refresh = () => {
    state.refreshing ??= sampleCommonWords(pool)
      .then((s) => (state.current = s))
      .catch(() => NONE)
      .finally(() => (state.refreshing = undefined));
    return state.refreshing;
  };
  if (!state.current) return (await refresh()).words;
  if (Date.now() - state.current.at > maxAgeMs) void refresh();
  return state.current.words;
}

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
