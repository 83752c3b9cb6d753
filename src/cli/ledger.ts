import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { changedRows, FixtureInvalid, listBalances, loadFixture, parseFixture } from '../wiring/fake-wms';
import { loadConfig } from '../config';
import { createPool } from '../store/db';
import { migrateAsOwner } from '../store/migrate';

const USAGE = `usage:
  npm run ledger -- load FILE...                          load ledger fixtures (docs/ledger-fixture.md)
  npm run ledger -- show --site SITE [--sku SKU] [--location BIN]   print balances (WMS and ERP views) as JSON`;

/** Exit codes: 0 done, 1 failed, 2 bad input (usage, unreadable or invalid fixture). */
class BadInput extends Error {}

async function withLedger<T>(fn: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  await migrateAsOwner(config);
  const pool = createPool(config.DATABASE_URL, 2, { statementTimeoutMs: 0 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

async function load(files: string[]): Promise<void> {
  if (files.length === 0) throw new BadInput(USAGE);
  // validate every file before writing any of them
  const fixtures = await Promise.all(
    files.map(async (file) => {
      const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new BadInput(`${file}: cannot read (${err.code ?? err.message})`);
      });
      try {
        return { file, fixture: parseFixture(text) };
      } catch (err) {
        if (err instanceof FixtureInvalid) throw new BadInput(`${file}: ${err.message}`);
        throw err;
      }
    }),
  );
  await withLedger(async (pool) => {
    for (const { file, fixture } of fixtures) {
      try {
        const summary = await loadFixture(pool, fixture);
        process.stdout.write(`${JSON.stringify({ file, changed: changedRows(summary), sections: summary }, null, 2)}\n`);
      } catch (err) {
        if (err instanceof FixtureInvalid) throw new BadInput(`${file}: ${err.message}`);
        throw err;
      }
    }
  });
}

async function show(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { site: { type: 'string' }, sku: { type: 'string' }, location: { type: 'string' } },
    strict: true,
  });
  if (!values.site) throw new BadInput(USAGE);
  const filter = { site: values.site, sku: values.sku, location: values.location };
  const balances = await withLedger((pool) => listBalances(pool, filter));
  process.stdout.write(`${JSON.stringify(balances, null, 2)}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'load') await load(rest);
    else if (command === 'show') await show(rest);
    else throw new BadInput(USAGE);
    return 0;
  } catch (err) {
    // parseArgs reports unknown flags with a TypeError carrying an ERR_PARSE_ARGS_* code
    const usageError = (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ?? false;
    if (err instanceof BadInput || usageError) {
      process.stderr.write(`${(err as Error).message}\n`);
      if (usageError) process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`ledger ${command} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`ledger failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
