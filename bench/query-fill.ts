import { migrateAsOwner } from '../src/store/migrate';
import { createPool } from '../src/store/db';
import { insertSynthetic } from './query-data';

/**
 * `npx tsx bench/query-fill.ts DATABASE_URL ROWS`: migrates a database (as its owner: the URL's
 * role) and fills its read model like the query phase does (bench/query-data.ts), for
 * bench/query-explain.ts and bench/query-mix.ts. Rows are added after those already there.
 */
async function main(): Promise<void> {
  const [url, rowsArg] = process.argv.slice(2);
  const rows = Number(rowsArg);
  if (!url || !Number.isInteger(rows) || rows <= 0) throw new Error('usage: npx tsx bench/query-fill.ts DATABASE_URL ROWS');
  await migrateAsOwner({ DATABASE_URL: url, MIGRATION_DATABASE_URL: url });
  const db = createPool(url, 2, { statementTimeoutMs: 0 });
  try {
    const { rows: have } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM discrepancies');
    const t = Date.now();
    await insertSynthetic(db, have[0].n, have[0].n + rows);
    console.log(`${rows} rows added after ${have[0].n} in ${Math.round((Date.now() - t) / 1000)} s`);
  } finally {
    await db.end();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
