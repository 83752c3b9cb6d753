import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { createPool } from '../../src/store/db';
import { grantAppRole, migrate, NO_TRANSACTION, roleOf } from '../../src/store/migrate';
import { dropDatabase } from '../support/drop-database';

// A no-transaction migration builds its indexes CONCURRENTLY: applied once when two processes
// start together, and an index an interrupted build left INVALID is built again next time.
const ownerUrl = loadConfig().MIGRATION_DATABASE_URL;
const name = `${new URL(ownerUrl).pathname.slice(1)}_mig`;
const url = (() => {
  const u = new URL(ownerUrl);
  u.pathname = `/${name}`;
  return u.toString();
})();
const admin = async (act: (c: Client) => Promise<unknown>) => {
  const c = new Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    await act(c);
  } finally {
    await c.end();
  }
};
const pools: Pool[] = [];
const pool = () => {
  const p = createPool(url, 3);
  pools.push(p);
  return p;
};
const dir = mkdtempSync(join(tmpdir(), 'reckon-migrations-'));

beforeAll(async () => {
  await admin((c) => dropDatabase(c, name));
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  writeFileSync(join(dir, '001_table.sql'), 'CREATE TABLE t (a int);\nINSERT INTO t SELECT g FROM generate_series(1, 5000) g;\n');
  writeFileSync(
    join(dir, '002_indexes.sql'),
    `${NO_TRANSACTION}\n-- a comment; with a semicolon;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a ON t (a);\n\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a2\n  ON t ((a * 2));\n`,
  );
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await admin((c) => dropDatabase(c, name));
});

async function indexes(p: Pool): Promise<Record<string, boolean>> {
  const { rows } = await p.query(`SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 't'::regclass`);
  return Object.fromEntries(rows.map((r) => [r.relname, r.indisvalid]));
}

it('two migrators starting together apply each file once, the concurrent indexes valid', async () => {
  const [a, b] = await Promise.all([migrate(pool(), dir), migrate(pool(), dir)]);
  expect([...a, ...b].sort()).toEqual(['001_table.sql', '002_indexes.sql']);
  const p = pool();
  expect(await indexes(p)).toEqual({ t_a: true, t_a2: true });
  expect((await p.query('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name)).toEqual(['001_table.sql', '002_indexes.sql']);
  expect(await migrate(p, dir)).toEqual([]);
});

it('an index left INVALID by a failed build is dropped and built again once the cause is gone', async () => {
  const p = pool();
  await p.query('INSERT INTO t VALUES (1)');
  writeFileSync(join(dir, '003_unique.sql'), `${NO_TRANSACTION}\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_a_unique ON t (a);\n`);
  await expect(migrate(p, dir)).rejects.toThrow(/could not create unique index/);
  expect((await indexes(p)).t_a_unique).toBe(false);
  await p.query('DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t WHERE a = 1)');
  expect(await migrate(p, dir)).toEqual(['003_unique.sql']);
  expect((await indexes(p)).t_a_unique).toBe(true);
});

it('replicas starting together grant the app role its rights without tripping over each other', async () => {
  // each replica runs the grants after its migrations; unserialised, GRANTs on the same objects fail
  // with "tuple concurrently updated" and the replica exits at start
  const appRole = roleOf(loadConfig().DATABASE_URL);
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => grantAppRole(pool(), appRole)));
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  const p = pool();
  const { rows } = await p.query(`SELECT has_table_privilege($1, 't', 'SELECT') AS can_read`, [appRole]);
  expect(rows[0].can_read).toBe(true);
});
