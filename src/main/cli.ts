/**
 * Every command-line tool from one entry: `tsx src/main/cli.ts COMMAND [ARGS…]` (what the npm
 * scripts run). Each command's module runs itself on import and reads its arguments after COMMAND.
 */
const COMMANDS: Record<string, () => Promise<unknown>> = {
  migrate: () => import('../cli/migrate'),
  keys: () => import('../cli/keys'),
  users: () => import('../cli/users'),
  ledger: () => import('../cli/ledger'),
  audit: () => import('../cli/audit'),
  demo: () => import('../cli/demo'),
  dlq: () => import('../cli/dlq'),
  planner: () => import('../cli/planner'),
  simulate: () => import('../cli/simulate'),
  scorecard: () => import('../cli/scorecard'),
  'drift-study': () => import('../cli/drift-study'),
  'supplier-drift-study': () => import('../cli/supplier-drift-study'),
  'search-attributes': () => import('../cli/search-attributes'),
  'register-search-attributes': () => import('../temporal/search-attributes-main'),
};

const [command] = process.argv.splice(2, 1);
const load = command ? COMMANDS[command] : undefined;
if (!load) {
  process.stderr.write(`usage: tsx src/main/cli.ts COMMAND [ARGS…]\ncommands: ${Object.keys(COMMANDS).join(', ')}\n`);
  process.exit(2);
}
load().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
