import { Client } from 'pg';
import { createPool } from '../../src/store/db';
import { migrate } from '../../src/store/migrate';
import { createPolicyVersion } from '../../src/store/policy-repo';
import { dropDatabase } from '../support/drop-database';
import { TEST_POLICY } from '../support/test-policy';

/**
 * A migrated database of its own, with the suite's policy active. For a test that lets a fuzzer
 * store new policy versions: in the shared test database those would become every other test
 * file's active policy.
 */
export async function createIsolatedDatabase(suffix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.RECKON_TEST_DB_ADMIN_URL!;
  const name = `${process.env.RECKON_TEST_DB_NAME}_${suffix}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await dropDatabase(admin, name);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 2);
  await migrate(pool);
  await createPolicyVersion(pool, TEST_POLICY, 'schemathesis', 'the test suite policy');
  await pool.end();
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await dropDatabase(c, name);
      await c.end();
    },
  };
}
