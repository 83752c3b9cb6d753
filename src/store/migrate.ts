import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { withTransaction } from './db';

export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

/** Applies every migrations/*.sql not applied yet, in name order, each in its own transaction. */
export async function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  await pool.query(`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const applied: string[] = [];
  for (const name of files) {
    const done = await pool.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name]);
    if (done.rowCount) continue;
    const sql = readFileSync(join(dir, name), 'utf8');
    await withTransaction(pool, async (c) => {
      // serialise concurrent migrators (API and worker starting together)
      await c.query('SELECT pg_advisory_xact_lock(727274)');
      // an index build on a large table may take minutes: no pool statement timeout here
      await c.query('SET LOCAL statement_timeout = 0');
      const again = await c.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name]);
      if (again.rowCount) return;
      await c.query(sql);
      await c.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
      applied.push(name);
    });
  }
  return applied;
}
