import { loadConfig } from '../config';
import { verifyAuditChains } from '../store/audit-repo';
import { createPool } from '../store/db';

const USAGE = 'usage: npm run audit -- verify [--case CASE_ID]';

/** `npm run audit -- verify`: recomputes every case's hash chain; exit 1 if any row was altered. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'verify') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const caseFlag = rest.indexOf('--case');
  const caseId = caseFlag >= 0 ? rest[caseFlag + 1] : undefined;
  if (caseFlag >= 0 && !caseId) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const pool = createPool(loadConfig().DATABASE_URL, 2);
  try {
    const result = await verifyAuditChains(pool, caseId);
    process.stdout.write(`${JSON.stringify({ ok: result.problems.length === 0, ...result }, null, 2)}\n`);
    return result.problems.length === 0 ? 0 : 1;
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`audit verify failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
