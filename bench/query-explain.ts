import { OPEN_CASE_STATUSES } from '../src/domain';
import { createPool } from '../src/store/db';
import { casesSharingSourceEvents, listCases, type CaseFilter, type CaseSort } from '../src/store/discrepancy-queries';
import { countQueue, countSearch } from '../src/store/inbox-queries';
import { countOpenFacets } from '../src/store/open-case-facets';
const OPEN = OPEN_CASE_STATUSES;
/**
 * `npx tsx bench/query-explain.ts DATABASE_URL [part of a query's name | all] [--plans]`:
 * EXPLAIN (ANALYZE, BUFFERS) of every queue query on a database filled like the query phase's
 * (bench/query-data.ts), with the SQL the store builds (docs/perf/queue.md has the plans at 1M).
 */
const db = createPool(process.argv[2] ?? '', 2, { statementTimeoutMs: 0 });
const only = process.argv[3];
const full = process.argv.includes('--plans');
type Queryable = { query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, string>[] }> };
/** EXPLAINs a statement on `on` and prints its execution time (and plan); answers no rows. */
async function explain(on: Queryable, sql: string, params: unknown[] = []) {
  const { rows } = await on.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  const lines = rows.map((r) => r['QUERY PLAN']);
  console.log(`   ${lines.find((l) => l.startsWith('Execution Time')) ?? ''}`);
  if (full) console.log(lines.map((l) => '      ' + l).join('\n'));
  return { rows: [], rowCount: 0 };
}
// a pool that EXPLAINs every statement instead of running it, but the search's sample (its words);
// in a transaction (a broad search's walk sets its planner settings first) only the queries
const explaining = {
  query(sql: string | { text: string; values?: unknown[] }, params: unknown[] = []) {
    // a prepared statement ({ name, text, values }) is explained as its text
    const [text, values] = typeof sql === 'string' ? [sql, params] : [sql.text, sql.values ?? []];
    return text.includes('TABLESAMPLE') ? db.query(text, values) : explain(db, text, values);
  },
  async connect() {
    const c = await db.connect();
    return {
      query: (sql: string, params: unknown[] = []) => (/^(BEGIN|COMMIT|ROLLBACK)\b|set_config\(/.test(sql) ? c.query(sql, params) : explain(c, sql, params)),
      escapeLiteral: (v: string) => c.escapeLiteral(v),
      release: () => c.release(),
    };
  },
} as never;
const L = (f: CaseFilter, sort: CaseSort, limit = 50) => () => listCases(explaining, f, { sort, limit });
const inbox = (f: CaseFilter) => L({ status: OPEN, ...f }, 'slaDeadline');
const searchPage = { filter: { status: OPEN }, sort: 'slaDeadline' as const, limit: 50 };
const Q: Record<string, () => Promise<unknown>> = {
  'api: site+status+severity, newest': L({ status: ['awaiting_approval'], site: ['QS-05'], severity: ['review'] }, '-openedAt'),
  'api: sites+statuses+severities, by value': L({ status: ['awaiting_approval', 'awaiting_recount'], site: ['QS-05', 'QS-06'], severity: ['high', 'critical'] }, '-valueAtRisk'),
  'api: site+status, by SLA deadline': L({ status: ['awaiting_approval'], site: ['QS-05'] }, 'slaDeadline'),
  'api: all sites, open, by priority': L({ status: ['awaiting_approval', 'awaiting_recount', 'gathering_evidence'], severity: ['review', 'high'] }, '-priority'),
  'api: sku, newest': L({ sku: 'SKU-185' }, '-openedAt'),
  'inbox: approver, my queue': inbox({ visibleSites: ['QS-04', 'QS-05'], ownerRoles: ['inventory_control'] }),
  'inbox: approver, status+severity+kind': inbox({ visibleSites: ['QS-04', 'QS-05'], ownerRoles: ['inventory_control'], status: ['awaiting_approval'], severity: ['review'], kind: ['count_variance'] }),
  'inbox: approver, mine': inbox({ visibleSites: ['QS-04', 'QS-05'], ownerRoles: ['inventory_control'], assignee: 'user-4' }),
  'inbox: admin, every site': inbox({}),
  'inbox: admin, site+breached': inbox({ site: ['QS-05'], breached: true }),
  'inbox: admin, assignee': inbox({ assignee: 'user-7' }),
  // a search is resolved, counted and paged in one statement (the inbox's loadQueue: countSearch),
  // then the page fetches its ids
  'inbox: admin, search sku: resolve': () => countSearch(explaining, { text: 'SKU-1850', status: OPEN }, searchPage, 'user-4', 2000),
  'inbox: admin, search sku: page': async () => inbox({ matchedIds: (await countSearch(db, { text: 'SKU-1850', status: OPEN }, searchPage, 'user-4', 2000))?.pageIds ?? [] })(),
  'inbox: admin, search sku with 1,600 matches: resolve': () => countSearch(explaining, { text: 'SKU-148', status: OPEN }, searchPage, 'user-4', 2000),
  'inbox: admin, search event id: resolve': () => countSearch(explaining, { text: 'SYN-77777', status: OPEN }, searchPage, 'user-4', 2000),
  // too broad to count (a fifth of the open cases): the page walks the SLA index, no counts
  'inbox: admin, broad search: resolve': () => countSearch(explaining, { text: 'A-1', status: OPEN }, searchPage, 'user-4', 2000),
  'inbox: admin, broad search: page': inbox({ text: 'A-1' }),
  'case page: related open cases': L({ site: ['QS-05'], sku: 'SKU-205', status: OPEN }, '-openedAt', 6),
  'counts: approver, two sites (exact)': () => countQueue(explaining, { visibleSites: ['QS-04', 'QS-05'], ownerRoles: ['inventory_control'] }, 'user-4', { exactUpTo: 1e9 }),
  'counts: admin, every site (exact)': () => countQueue(explaining, {}, 'user-4', { exactUpTo: 1e9 }),
  'counts: snapshot of open cases': () => countOpenFacets(explaining),
  'evidence: prior cases': () => casesSharingSourceEvents(explaining, { dedupeKey: 'syn|77777', caseId: 'x', sourceEventIds: ['SYN-77777'] }),
};
async function main() {
  for (const [name, fn] of Object.entries(Q)) {
    if (only && only !== 'all' && !name.includes(only)) continue;
    console.log(name);
    await fn().catch((e) => console.log('   error', e.message));
  }
  await db.end();
}
main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
