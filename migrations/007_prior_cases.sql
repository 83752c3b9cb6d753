-- Every case looks for earlier cases with its dedupe key that handled the same source events
-- (findPriorCases, an evidence source of each run). Without an index that is a sequential scan of
-- the whole read model per case: npm run bench measured 18 ms at 10k rows, 344 ms at 300k and
-- about a second at 1M rows, all of it Postgres CPU taken from the engine (docs/performance.md).
-- A dedupe key has few rows (one per case ever opened with that key), so this index alone
-- makes the lookup a handful of rows whatever the size of the read model.
--
-- Built inside the migration's transaction: on a live system with millions of cases, create it
-- beforehand with CREATE INDEX CONCURRENTLY under the same name, and this file does nothing.
CREATE INDEX IF NOT EXISTS discrepancies_dedupe_key ON discrepancies (dedupe_key);
