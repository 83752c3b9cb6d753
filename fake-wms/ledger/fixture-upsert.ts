import type { PoolClient } from 'pg';

/** How one fixture section maps onto a ledger table. Names here are constants, never input. */
export interface SectionTable {
  table: string;
  /** column → SQL type, in insert order */
  columns: Record<string, string>;
  key: string[];
  /** columns that keep their stored value when a row leaves them out (null) */
  keepWhenAbsent?: string[];
}

export interface SectionCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

type Row = Record<string, string | number | boolean | null>;

/**
 * Upserts a section in one statement per shape through jsonb_to_recordset. A row is updated
 * only when a value differs, so reloading the same file reports (and changes) nothing.
 */
export async function upsertSection(c: PoolClient, spec: SectionTable, rows: Row[]): Promise<SectionCounts> {
  const counts: SectionCounts = { inserted: 0, updated: 0, unchanged: 0 };
  const keep = spec.keepWhenAbsent ?? [];
  // rows that leave out a keep-column must not name it at all, so group rows by what they give
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const shape = keep.filter((col) => row[col] !== null && row[col] !== undefined).join(',');
    groups.set(shape, [...(groups.get(shape) ?? []), row]);
  }
  for (const [shape, group] of groups) {
    const given = new Set(shape ? shape.split(',') : []);
    const cols = Object.keys(spec.columns).filter((col) => !keep.includes(col) || given.has(col));
    const updatable = cols.filter((col) => !spec.key.includes(col));
    const recordType = cols.map((col) => `${col} ${spec.columns[col]}`).join(', ');
    const sql = `
      INSERT INTO ledger.${spec.table} AS t (${cols.join(', ')})
      SELECT ${cols.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${recordType})
      ON CONFLICT (${spec.key.join(', ')}) DO UPDATE SET ${updatable.map((col) => `${col} = EXCLUDED.${col}`).join(', ')}
      WHERE (${updatable.map((col) => `t.${col}`).join(', ')}) IS DISTINCT FROM (${updatable.map((col) => `EXCLUDED.${col}`).join(', ')})
      RETURNING (xmax = 0) AS inserted`;
    const res = await c.query<{ inserted: boolean }>(sql, [JSON.stringify(group)]);
    const inserted = res.rows.filter((r) => r.inserted).length;
    counts.inserted += inserted;
    counts.updated += res.rows.length - inserted;
    counts.unchanged += group.length - res.rows.length;
  }
  return counts;
}
