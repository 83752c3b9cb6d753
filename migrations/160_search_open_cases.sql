-- reckon:no-transaction
-- Free-text search split into open and closed cases (src/store/discrepancy-queries.ts,
-- searchCondition). The inbox searches open cases; with one trigram index over every case, a
-- fragment common to most rows ("sku", a shared prefix) read posting lists of every closed case
-- too: 20-25 ms at a million cases against 5 ms over the open half (docs/perf/queue.md). Two
-- partial indexes on complementary predicates: every row version is in exactly one of them, so a
-- write costs what it did with the one index.

CREATE INDEX CONCURRENTLY IF NOT EXISTS discrepancies_search_open ON discrepancies
  USING gin ((sku || ' ' || coalesce(location, '') || ' ' || id || ' ' || workflow_id || ' ' || coalesce(reference->>'id', '')) gin_trgm_ops)
  WHERE status <> 'closed';

CREATE INDEX CONCURRENTLY IF NOT EXISTS discrepancies_search_closed ON discrepancies
  USING gin ((sku || ' ' || coalesce(location, '') || ' ' || id || ' ' || workflow_id || ' ' || coalesce(reference->>'id', '')) gin_trgm_ops)
  WHERE status = 'closed';

DROP INDEX CONCURRENTLY IF EXISTS discrepancies_search;
