import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The fake WMS/ERP (fake-wms/, schema `ledger`) is a stand-in for a customer's systems, reached
 * through the ports. Engine code (everything under src/) must not read or write its tables; the
 * fake's own code lives outside src/, and eslint keeps src/ from importing it except through
 * src/wiring/fake-wms.ts, the composition root's one door.
 */
const SRC = join(__dirname, '..', '..', 'src');
// a table of the fake's schema named in SQL (not a word like "ledger." in a sentence)
const FAKE_TABLE = /\bledger\.(balances|items|locations|transactions|counts|inbound_documents|transfers|returns|allocations|holds|count_tasks|adjustments|notifications|applied_events|[a-z_]+\s+(?:WHERE|SET|AS|ON|USING)\b)/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

it('no engine code touches the fake WMS/ERP schema', () => {
  const found: Record<string, number> = {};
  for (const f of files(SRC)) {
    const n = readFileSync(f, 'utf8').match(FAKE_TABLE)?.length ?? 0;
    if (n > 0) found[relative(SRC, f).split('\\').join('/')] = n;
  }
  expect(found).toEqual({});
});

it('the check sees a query on the fake schema', () => {
  expect("SELECT wms_qty FROM ledger.balances WHERE site = $1".match(FAKE_TABLE)).toHaveLength(1);
  expect('the reference ledger. It keeps balances'.match(FAKE_TABLE)).toBeNull();
});
