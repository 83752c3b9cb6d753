-- The queue's sorts over open cases, in the exact order GET /v1/discrepancies asks for
-- (`ORDER BY col DESC NULLS LAST, id DESC`, src/store/discrepancy-queries.ts). The older
-- discrepancies_value index is (value_at_risk DESC, id): its id order is the opposite, so
-- Postgres could not use it to stop after one page and sorted every matching row instead.
-- With these, a page is the first rows of an index scan that skips closed cases.
-- npm run bench at 1M read-model rows (docs/performance.md), EXPLAIN ANALYZE on the bench's data:
--   all sites, open statuses, by -priority:       500 ms → 0.9 ms
--   two sites, two statuses, by -valueAtRisk:      625 ms → 7.9 ms
--
-- Built inside the migration's transaction: on a live system with millions of cases, create them
-- beforehand with CREATE INDEX CONCURRENTLY under the same names, and this file does nothing.
CREATE INDEX IF NOT EXISTS discrepancies_open_priority ON discrepancies (priority DESC NULLS LAST, id DESC) WHERE status <> 'closed';
CREATE INDEX IF NOT EXISTS discrepancies_open_value ON discrepancies (value_at_risk DESC, id DESC) WHERE status <> 'closed';
