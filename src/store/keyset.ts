/**
 * The one keyset pagination of Reckon's lists (queue, incidents, count plans): a page is ordered
 * on (a sort column, id), and its cursor is where the previous page ended — the sort value as
 * Postgres printed it (exact, so no row repeats or vanishes at a tie) and the id.
 */

export interface KeysetOrder {
  column: string;
  dir: 'ASC' | 'DESC';
  /** a nullable column sorts its nulls last in both directions */
  nullable: boolean;
  cast: 'timestamptz' | 'numeric' | 'integer';
  /** the longest id of the list (a longer one in a cursor was not issued) */
  maxIdLength: number;
  /** carried in the cursor (e.g. the sort's name): a cursor issued for another order is refused */
  tag?: string;
}

/** Where a page ended. */
export interface Keyset {
  value: string | null;
  id: string;
}

/** The sort value as exact text: microsecond UTC timestamps (independent of DateStyle), numbers as printed. */
export function sortValueSql(o: KeysetOrder): string {
  return o.cast === 'timestamptz' ? `to_char(${o.column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : `${o.column}::text`;
}

export function orderBySql(o: KeysetOrder): string {
  return `ORDER BY ${o.column} ${o.dir}${o.nullable ? ' NULLS LAST' : ''}, id ${o.dir}`;
}

/** The condition for rows after `after`; `p` adds a parameter and returns its placeholder. */
export function afterSql(o: KeysetOrder, after: Keyset, p: (v: unknown) => string): string {
  const cmp = o.dir === 'ASC' ? '>' : '<';
  const id = p(after.id);
  if (after.value === null) return `(${o.column} IS NULL AND id ${cmp} ${id})`;
  const v = `${p(after.value)}::${o.cast}`;
  return `((${o.column}, id) ${cmp} (${v}, ${id})${o.nullable ? ` OR ${o.column} IS NULL` : ''})`;
}

/** Rows fetched with LIMIT limit + 1 (each with its `sort_value`): the page and where the next one starts. */
export function keysetPage<R extends { id: string; sort_value?: string | null }>(rows: R[], limit: number): { rows: R[]; next: Keyset | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { rows: page, next: more && last ? { value: last.sort_value ?? null, id: last.id } : null };
}

export function encodeKeyset(o: KeysetOrder, k: Keyset): string {
  const parts = o.tag === undefined ? [k.value, k.id] : [o.tag, k.value, k.id];
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

const VALUE_SYNTAX: Record<KeysetOrder['cast'], RegExp> = {
  timestamptz: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
  integer: /^-?\d{1,9}$/,
  numeric: /^-?\d{1,30}(\.\d{1,30})?$/,
};

/** null when the text is not a cursor this API issued for this order. */
export function decodeKeyset(o: KeysetOrder, text: string): Keyset | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed)) return null;
    const parts = o.tag === undefined ? parsed : parsed[0] === o.tag ? parsed.slice(1) : null;
    if (!parts || parts.length !== 2) return null;
    const [value, id] = parts as unknown[];
    if (typeof id !== 'string' || id.length === 0 || id.length > o.maxIdLength) return null;
    if (value === null) return o.nullable ? { value: null, id } : null;
    return typeof value === 'string' && value.length <= 64 && VALUE_SYNTAX[o.cast].test(value) ? { value, id } : null;
  } catch {
    return null;
  }
}
