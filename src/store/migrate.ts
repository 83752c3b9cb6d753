import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeIdentifier, type Pool, type PoolClient } from 'pg';
import { createPool, withTransaction } from './db';

export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

/**
 * Applies every migrations/*.sql not applied yet, in name order, each in its own transaction
 * (or none: NO_TRANSACTION).
 */
export async function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  // the app role may run this too (no DDL rights): with nothing pending it only reads
  const tracked = await pool.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!tracked.rows[0].t) {
    // under the lock: two migrators on a fresh database would both create it (IF NOT EXISTS races)
    await withTransaction(pool, async (c) => {
      await lockMigrations(c);
      await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    });
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const applied: string[] = [];
  for (const name of files) {
    const done = await pool.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name]);
    if (done.rowCount) continue;
    const sql = readFileSync(join(dir, name), 'utf8');
    if (sql.startsWith(NO_TRANSACTION)) {
      if (await migrateOutsideTransaction(pool, name, sql)) applied.push(name);
      continue;
    }
    await withTransaction(pool, async (c) => {
      // serialise concurrent migrators (API and worker replicas starting together)
      await lockMigrations(c);
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

/**
 * A file starting with this line runs outside a transaction, one statement at a time, so it may
 * build indexes with CREATE INDEX CONCURRENTLY: a live system keeps writing while they build.
 */
export const NO_TRANSACTION = '-- reckon:no-transaction';

const LOCK_KEY = 727274;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The migration lock, held until the transaction ends: concurrent migrators and grants take turns. */
async function lockMigrations(c: PoolClient): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
}

/** The statements of a file: `;` at a line's end ends one; `--` comment lines are dropped. */
export function splitStatements(sql: string): string[] {
  const text = sql
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n');
  return text
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Applies a no-transaction file under a session advisory lock. Waiting migrators poll the lock
 * instead of blocking on it: a blocked one would hold a snapshot that CREATE INDEX CONCURRENTLY
 * waits for (a deadlock). An index left INVALID by an interrupted build is dropped and rebuilt.
 */
async function migrateOutsideTransaction(pool: Pool, name: string, sql: string): Promise<boolean> {
  const c = await pool.connect();
  let locked = false;
  try {
    while (!(await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY])).rows[0].ok) await sleep(200);
    locked = true;
    if ((await c.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name])).rowCount) return false;
    await c.query('SET statement_timeout = 0');
    for (const statement of splitStatements(sql)) {
      const index = /^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+IF\s+NOT\s+EXISTS\s+("?[\w.]+"?)/i.exec(statement)?.[1];
      if (index) {
        const { rows } = await c.query<{ valid: boolean }>('SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)', [index]);
        if (rows.length && !rows[0].valid) await c.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
      }
      await c.query(statement);
    }
    await c.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
    return true;
  } finally {
    await c.query('RESET statement_timeout').catch(() => undefined);
    if (locked) await c.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    c.release();
  }
}

/** Tables the app role may only read and append to: the trail and what the trail is judged by. */
const APPEND_ONLY = ['audit_log', 'policies'];
/** Tables the app role writes but may not delete from: the chain heads move forward only. */
const NO_DELETE = ['audit_chain_heads'];
/** Tables the app role may only read. */
const READ_ONLY = ['schema_migrations', 'audit_settings'];

/**
 * Least privilege for the application's role (docs/security.md): it owns nothing, so it can
 * neither drop nor disable the append-only triggers; it reads and writes Reckon's tables, only
 * appends to the audit log and policies, and only reads the migration and audit settings.
 * Run by the owner after every migration, so new tables are covered. Idempotent.
 */
export async function grantAppRole(owner: Pool, appRole: string): Promise<void> {
  const exists = await owner.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [appRole]);
  if (!exists.rowCount) throw new Error(`the app role ${appRole} (DATABASE_URL) does not exist: scripts/setup.sh creates it, or point DATABASE_URL at an existing role`);
  const role = escapeIdentifier(appRole);
  const { rows } = await owner.query<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) OR nspname = 'public'`,
  );
  const schemas = rows.map((r) => escapeIdentifier(r.nspname)).join(', ');
  const existing = async (names: string[]) =>
    (await owner.query<{ t: string }>(`SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL`, [names])).rows.map((r) => escapeIdentifier(r.t));
  await withTransaction(owner, async (c) => {
    // two replicas starting together would update the same catalog rows ("tuple concurrently updated")
    await lockMigrations(c);
    await c.query(`GRANT USAGE ON SCHEMA ${schemas} TO ${role}`);
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schemas} TO ${role}`);
    await c.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${schemas} TO ${role}`);
    const appendOnly = await existing(APPEND_ONLY);
    if (appendOnly.length) await c.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${appendOnly.join(', ')} FROM ${role}`);
    const noDelete = await existing(NO_DELETE);
    if (noDelete.length) await c.query(`REVOKE DELETE, TRUNCATE ON ${noDelete.join(', ')} FROM ${role}`);
    const readOnly = await existing(READ_ONLY);
    if (readOnly.length) await c.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ${readOnly.join(', ')} FROM ${role}`);
  });
}

/** The user a connection URL logs in as. */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/**
 * Migrations as the schema owner (MIGRATION_DATABASE_URL), then the app role's grants when the
 * app connects as another role. With one URL for both, it is the single-role setup of old.
 */
export async function migrateAsOwner(config: { DATABASE_URL: string; MIGRATION_DATABASE_URL: string }): Promise<string[]> {
  const owner = createPool(config.MIGRATION_DATABASE_URL, 2);
  try {
    const applied = await migrate(owner);
    const app = roleOf(config.DATABASE_URL);
    if (app && app !== roleOf(config.MIGRATION_DATABASE_URL)) await grantAppRole(owner, app);
    return applied;
  } finally {
    await owner.end();
  }
}
