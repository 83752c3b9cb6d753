import { Client as PgClient } from 'pg';

/**
 * Scratch databases of the bench, created and dropped as the schema owner (the role setup.sh
 * gives CREATEDB; the app role may neither create databases nor end other roles' sessions).
 * Named <prefix><pid>, so a later run drops what a killed run left behind.
 */
export interface ScratchDatabase {
  name: string;
  url: string;
  /** drops the database; the caller closes its own pools first */
  drop(): Promise<void>;
}

const GONE_WITHIN_MS = 30_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function withClient<T>(url: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const c = new PgClient({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * DROP ... WITH (FORCE) ends the owner's own sessions. Sessions of another role (the app role,
 * say) the owner may not end: then no new session may connect, and the drop waits for them to close.
 */
export async function dropDatabase(ownerUrl: string, name: string, goneWithinMs = GONE_WITHIN_MS): Promise<void> {
  await withClient(ownerUrl, async (c) => {
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '42501') throw err;
    }
    await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    const deadline = Date.now() + goneWithinMs;
    for (;;) {
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '42501' || Date.now() > deadline) {
          const { rows } = await c.query<{ usename: string; n: string }>(
            'SELECT usename, count(*) AS n FROM pg_stat_activity WHERE datname = $1 GROUP BY usename',
            [name],
          );
          const holders = rows.map((r) => `${r.usename} (${r.n})`).join(', ');
          throw new Error(`scratch database ${name} not dropped: sessions of ${holders || 'nobody'} remain: ${(err as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  });
}

/** Creates <prefix><pid> (dropping a previous one) and drops those whose bench process is gone. */
export async function createScratchDatabase(ownerUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}${process.pid}`;
  const stale = await withClient(ownerUrl, async (c) => {
    const like = `${prefix.replace(/_/g, '\\_')}%`;
    const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [like]);
    return rows.map((r) => r.datname).filter((d) => {
      const pid = Number(d.slice(prefix.length));
      return Number.isInteger(pid) && pid !== process.pid && !isAlive(pid);
    });
  });
  for (const d of [...stale, name]) await dropDatabase(ownerUrl, d);
  await withClient(ownerUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ownerUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => dropDatabase(ownerUrl, name) };
}
