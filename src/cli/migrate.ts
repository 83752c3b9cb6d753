import { loadConfig } from '../config';
import { redactUrl } from '../logger';
import { createPool, pingDatabase } from '../store/db';
import { migrateAsOwner, MIGRATIONS_DIR } from '../store/migrate';

/** Connection-level failures (as opposed to a broken migration), with a hint for each. */
function connectionProblem(err: unknown): string | null {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return `cannot reach PostgreSQL (${e.code}). Is it running? \`bash scripts/setup.sh\` installs and starts it locally.`;
    case '28P01':
    case '28000':
      return `PostgreSQL refused the credentials (${e.message}). Check DATABASE_URL.`;
    case '3D000':
      return `${e.message}. Create it, or run \`bash scripts/setup.sh\`, or point DATABASE_URL at an existing database.`;
    default:
      if (e.message && /timeout|terminated|connect/i.test(e.message)) return `cannot connect to PostgreSQL: ${e.message}`;
      return null;
  }
}

/** `npm run migrate`: applies every migrations/*.sql not applied yet, in name order. */
async function main(): Promise<number> {
  const config = loadConfig();
  // as the schema owner; the app role (DATABASE_URL) gets its grants after (docs/security.md)
  const target = redactUrl(config.MIGRATION_DATABASE_URL);
  const pool = createPool(config.MIGRATION_DATABASE_URL, 1, { statementTimeoutMs: 0 });
  try {
    try {
      await pingDatabase(pool);
    } catch (err) {
      process.stderr.write(`migrate: ${target}: ${connectionProblem(err) ?? (err instanceof Error ? err.message : String(err))}\n`);
      return 1;
    }
    const applied = await migrateAsOwner(config);
    if (applied.length === 0) {
      process.stdout.write(`migrate: ${target} is up to date (${MIGRATIONS_DIR})\n`);
    } else {
      for (const name of applied) process.stdout.write(`migrate: applied ${name}\n`);
      process.stdout.write(`migrate: ${applied.length} migration(s) applied to ${target}\n`);
    }
    return 0;
  } catch (err) {
    const problem = connectionProblem(err);
    process.stderr.write(`migrate: ${target}: ${problem ?? `migration failed: ${err instanceof Error ? err.message : String(err)}`}\n`);
    return 1;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`migrate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
