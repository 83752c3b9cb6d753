import type { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { dropDatabase } from './drop-database';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__reckonTemporal as ChildProcess | undefined;
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  const name = process.env.RECKON_TEST_DB_NAME;
  if (name && process.env.KEEP_TEST_DB !== '1') {
    const admin = new Client({ connectionString: process.env.RECKON_TEST_DB_ADMIN_URL });
    await admin.connect();
    await dropDatabase(admin, name).catch(() => undefined);
    await admin.end();
  }
}
