import { spawnSync } from 'node:child_process';
import { Client, Pool } from 'pg';
import { createScratchDatabase, dropDatabase } from '../../bench/scratch-db';

/**
 * The bench's scratch databases are created and dropped with the privileges setup.sh gives: the
 * owner role (CREATEDB, no superuser, no pg_signal_backend), never the app role.
 */
const ownerUrl = process.env.RECKON_TEST_DB_ADMIN_URL!;
const PREFIX = 'reckon_scratchtest_';

const on = (base: string, db: string) => {
  const u = new URL(base);
  u.pathname = `/${db}`;
  return u.toString();
};

async function exists(name: string): Promise<boolean> {
  const c = new Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    return ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
  } finally {
    await c.end();
  }
}

it('drops its scratch database with the owner sessions still open in it', async () => {
  const scratch = await createScratchDatabase(ownerUrl, PREFIX);
  const pool = new Pool({ connectionString: scratch.url, max: 3 });
  pool.on('error', () => undefined); // the drop ends these sessions
  await Promise.all([1, 2, 3].map(() => pool.query('SELECT pg_sleep(0.05)')));
  await scratch.drop();
  expect(await exists(scratch.name)).toBe(false);
  await pool.end().catch(() => undefined);
});

it('a session of the app role, which the owner may not end, is waited for instead of failing the clean-up', async () => {
  const scratch = await createScratchDatabase(ownerUrl, PREFIX);
  const app = new Client({ connectionString: on(process.env.DATABASE_URL!, scratch.name) });
  await app.connect();
  // what the old clean-up did: FORCE as the owner cannot end another role's session
  const owner = new Client({ connectionString: ownerUrl });
  await owner.connect();
  await expect(owner.query(`DROP DATABASE ${scratch.name} WITH (FORCE)`)).rejects.toMatchObject({ code: '42501' });
  await owner.end();

  const closed = new Promise<void>((resolve) => setTimeout(() => void app.end().then(resolve), 1500));
  await scratch.drop();
  await closed;
  expect(await exists(scratch.name)).toBe(false);
});

it('a scratch database left by a bench process that is gone is dropped by the next run', async () => {
  const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
  const owner = new Client({ connectionString: ownerUrl });
  await owner.connect();
  await owner.query(`CREATE DATABASE ${PREFIX}${deadPid}`);
  await owner.end();
  const scratch = await createScratchDatabase(ownerUrl, PREFIX);
  try {
    expect(await exists(`${PREFIX}${deadPid}`)).toBe(false);
    expect(await exists(scratch.name)).toBe(true);
  } finally {
    await dropDatabase(ownerUrl, scratch.name);
  }
});
