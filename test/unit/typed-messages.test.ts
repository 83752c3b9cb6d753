import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Every signal, update and query is defined once (src/workflows/messages.ts and the watchers'
 * watch-messages.ts) and called through that typed definition: never by its name as a string,
 * never cast to a looser type. A message called by name compiles whatever its payload is.
 */
const ROOT = join(__dirname, '..', '..');
const DEFINITIONS = new Set(['src/workflows/messages.ts', 'src/workflows/watch-messages.ts']);

const SQL = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|BEGIN|COMMIT|ROLLBACK|SET|LOCK|TRUNCATE|GRANT|REVOKE|DO|NOTIFY|LISTEN|UNLISTEN|VACUUM|ANALYZE|REFRESH|COPY|SAVEPOINT|RELEASE|EXPLAIN|SHOW|RESET|DISCARD|REINDEX|COMMENT|REASSIGN)\b/i;
const RULES: { why: string; re: RegExp; unless?: (match: RegExpExecArray, file: string) => boolean }[] = [
  { why: 'a signal or update sent by name', re: /\.(signal|executeUpdate|startUpdate|executeUpdateWithStart|startUpdateWithStart)\s*(<[^>]*>)?\(\s*['"`]/g },
  // src/store holds Reckon's SQL (test/boundary/sql-placement.test.ts): a `.query(` there is Postgres's
  { why: 'a workflow queried by name', re: /\.query\s*(<[^>]*>)?\(\s*(['"`])([^'"`]*)/g, unless: (m, file) => SQL.test(m[3]) || file.startsWith('src/store/') },
  { why: 'signalWithStart naming its signal', re: /\bsignal:\s*['"`]/g },
  { why: 'a handler set by name', re: /\bsetHandler\(\s*['"`]/g },
  { why: 'a message definition cast to a looser type', re: /as\s+unknown\s+as\s+(Update|Signal|Query)Definition/g },
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sources(path) : e.name.endsWith('.ts') ? [path] : [];
  });
}

/** `file:line why` for each offence in a source text. */
function offences(file: string, text: string): string[] {
  const found: string[] = [];
  const line = (index: number) => text.slice(0, index).split('\n').length;
  for (const rule of RULES) {
    for (const m of text.matchAll(rule.re)) {
      if (!rule.unless?.(m as RegExpExecArray, file)) found.push(`${file}:${line(m.index ?? 0)} ${rule.why}`);
    }
  }
  if (!DEFINITIONS.has(file)) {
    for (const m of text.matchAll(/\bdefine(Signal|Update|Query)\s*[<(]/g)) found.push(`${file}:${line(m.index ?? 0)} a message defined outside messages.ts`);
  }
  return found;
}

it('the checks catch each way of going around a typed definition', () => {
  const bad = [
    "await handle.signal('countResult', input);",
    "await handle.executeUpdate<UpdateResult>('approve', { args: [x] });",
    "const s = await handle.query('state');",
    "await client.workflow.signalWithStart('w', { workflowId, taskQueue, signal: 'report', signalArgs: [r] });",
    "setHandler('approve', () => x);",
    'const d = approveUpdate as unknown as UpdateDefinition<R, [A]>;',
    "export const x = defineSignal<[X]>('x');",
  ].join('\n');
  expect(offences('src/api/example.ts', bad)).toHaveLength(7);
  // SQL through pg's query is not a workflow query
  expect(offences('src/store/example.ts', "await pool.query('SELECT 1'); await c.query(`\n  UPDATE t SET a = 1`);")).toEqual([]);
});

it('no source calls a signal, update or query by name or through a loosened type', () => {
  const found = sources(join(ROOT, 'src')).flatMap((path) => {
    const file = relative(ROOT, path).split('\\').join('/');
    return offences(file, readFileSync(path, 'utf8'));
  });
  expect(found).toEqual([]);
});
