import { Pool, type PoolClient } from 'pg';

export type Db = Pool;

/**
 * Statements that run longer than this are cancelled by Postgres: a stuck query must not outlive
 * the activity or request that issued it (the records activity times out after 10 s).
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 8000;

export function createPool(databaseUrl: string, max = 10, opts: { statementTimeoutMs?: number } = {}): Pool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    // 0: none (migrations, bulk loads)
    statement_timeout: opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
  });
  // an idle client losing its connection (Postgres restart) must not crash the process
  pool.on('error', () => undefined);
  // nor may a checked-out one between two queries (inside a transaction): the error reaches the
  // caller through its next query, and the pool drops the broken client when it is released
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * Runs `fn` in a transaction. `locks` are advisory transaction locks (by name, hashed as
 * lockForTransaction does) taken in the order given with the BEGIN, in the same round trip
 * (the intake's many independent keys go through lockAll instead, sorted by hash).
 */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, locks: readonly string[] = []): Promise<T> {
  const client = await pool.connect();
  try {
    // the simple protocol carries several statements at once: the names go as escaped literals
    await client.query(['BEGIN', ...locks.map((name) => `SELECT pg_advisory_xact_lock(hashtext(${client.escapeLiteral(name)}))`)].join('; '));
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Serialises the caller's transaction with every other holding the same key (released at commit). */
export async function lockForTransaction(db: Pick<PoolClient, 'query'>, key: string): Promise<void> {
  await db.query({ name: 'transaction-lock', text: 'SELECT pg_advisory_xact_lock(hashtext($1))', values: [key] });
}

/** One round trip: whether the database answers at all (readiness, a migration's first check). */
export async function pingDatabase(db: Pick<Pool, 'query'>): Promise<void> {
  await db.query('SELECT 1');
}
