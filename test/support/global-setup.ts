import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { dropDatabase } from './drop-database';
import { loadConfig } from '../../src/config';
import { findTemporalCli, freePort, startDevServer, waitForPort } from '../../src/dev/temporal-server';
import { createPool } from '../../src/store/db';
import { migrateAsOwner } from '../../src/store/migrate';
import { createPolicyVersion } from '../../src/store/policy-repo';
import { TEST_POLICY } from './test-policy';

/**
 * One real Temporal dev server (in memory, search attributes registered) and a fresh test
 * database for the whole run. Test files read the addresses from process.env.
 */
export default async function globalSetup(): Promise<void> {
  const base = loadConfig();
  // the schema owner creates the database and runs migrations; tests connect as the app role
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? base.MIGRATION_DATABASE_URL;
  // one database per run, so concurrent runs on one machine never share (or drop) each other's data
  const testDb = process.env.TEST_DATABASE_NAME ?? `reckon_test_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await dropDatabase(admin, testDb);
  await admin.query(`CREATE DATABASE ${testDb}`);
  await admin.end();
  const onTestDb = (u: string) => {
    const url = new URL(u);
    url.pathname = `/${testDb}`;
    return url.toString();
  };
  process.env.MIGRATION_DATABASE_URL = onTestDb(adminUrl);
  process.env.DATABASE_URL = onTestDb(base.DATABASE_URL);
  process.env.RECKON_TEST_DB_NAME = testDb;
  process.env.RECKON_TEST_DB_ADMIN_URL = adminUrl;
  await migrateAsOwner({ DATABASE_URL: process.env.DATABASE_URL, MIGRATION_DATABASE_URL: process.env.MIGRATION_DATABASE_URL });
  const pool = createPool(process.env.DATABASE_URL, 2);
  await createPolicyVersion(pool, TEST_POLICY, 'test-suite', 'the test suite policy');
  await pool.end();

  process.env.REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn';

  const cli = base.TEMPORAL_CLI || findTemporalCli(base.PATH);
  process.env.TEMPORAL_CLI = cli;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'reckon-test-'));
  const server = startDevServer({ cli, port });
  await waitForPort(port, 60_000);
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
  writeFileSync(join(dir, 'temporal.pid'), String(server.pid));
  // the run's own audit anchor log, never the dev stack's
  process.env.AUDIT_ANCHOR_FILE = join(dir, 'audit-anchors.jsonl');
  // workers started by tests ensure no anchoring schedule: the anchoring test owns the one there is
  process.env.AUDIT_ANCHOR_INTERVAL_SECONDS = '0';
  (globalThis as Record<string, unknown>).__reckonTemporal = server;
}
