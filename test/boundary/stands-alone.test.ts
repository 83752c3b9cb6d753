import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The repository stands on its own: code and docs point to its own documents
 * (docs/architecture.md is the map), never to a design document kept elsewhere.
 */
const ROOT = join(__dirname, '..', '..');
const WHERE = ['src', 'docs', 'test', 'fake-wms', 'bench', 'scripts', 'README.md'];
const OUTSIDE = /DESIGN(\.md)?\s*§|\.\.\/shared\//;

function files(p: string): string[] {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p).flatMap((n) => (n === 'node_modules' ? [] : files(join(p, n))));
}

it('no file cites a document outside the repository', () => {
  const citing = WHERE.flatMap((w) => files(join(ROOT, w)))
    .filter((f) => /\.(ts|js|md|sh|py)$/.test(f) && !f.endsWith('stands-alone.test.ts'))
    .filter((f) => OUTSIDE.test(readFileSync(f, 'utf8')))
    .map((f) => relative(ROOT, f));
  expect(citing).toEqual([]);
});

it('the check sees a citation', () => {
  expect(OUTSIDE.test('the dedupe key (DESIGN §4.2)')).toBe(true);
  expect(OUTSIDE.test('see docs/architecture.md')).toBe(false);
});
