import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * SQL lives in src/store (Reckon's own tables) and src/adapters (other systems); everything else
 * calls their named functions, so a table's statements are found, changed and reviewed in one place.
 */
const SRC = join(__dirname, '..', '..', 'src');
const SQL_HOMES = ['store/', 'adapters/'];
const SQL = /\b(SELECT|INSERT INTO|UPDATE [a-z_.]+ SET|DELETE FROM)\b/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Block comments and whole-line // comments go: prose may say "select" (the regex is case-sensitive anyway). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

function sqlStatements(text: string): number {
  return withoutComments(text).match(SQL)?.length ?? 0;
}

it('no .ts file under src/ outside src/store and src/adapters holds SQL', () => {
  const found: Record<string, number> = {};
  for (const f of files(SRC)) {
    const path = relative(SRC, f).split('\\').join('/');
    if (SQL_HOMES.some((home) => path.startsWith(home))) continue;
    const n = sqlStatements(readFileSync(f, 'utf8'));
    if (n > 0) found[path] = n;
  }
  expect(found).toEqual({});
});

it('the check sees each kind of statement, and the store does hold SQL (it is not looking at nothing)', () => {
  expect(sqlStatements("await db.query('SELECT 1 FROM model.items WHERE sku = $1', [sku]);")).toBe(1);
  expect(sqlStatements('`INSERT INTO detections (id) VALUES ($1)`')).toBe(1);
  expect(sqlStatements("db.query('UPDATE features.inbound_lines SET closed_at = now()')")).toBe(1);
  expect(sqlStatements("db.query('DELETE FROM sessions WHERE id = $1')")).toBe(1);
  expect(sqlStatements('/** SELECT in a comment */\n// DELETE FROM x\nconst a = 1;')).toBe(0);
  const store = files(join(SRC, 'store')).reduce((sum, f) => sum + sqlStatements(readFileSync(f, 'utf8')), 0);
  expect(store).toBeGreaterThan(100);
});
