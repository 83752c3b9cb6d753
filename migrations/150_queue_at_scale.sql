-- reckon:no-transaction
-- The inbox's queries at a million cases (docs/perf/queue.md has the EXPLAIN plans): the queue by
-- SLA left for one site or one assignee, free-text search, and the counts of every filter.
--
-- Applied outside a transaction, one statement at a time (src/store/migrate.ts), so every index
-- is built CONCURRENTLY: a running API and worker keep reading and writing the read model while
-- they build. An interrupted build leaves an INVALID index, which the next migrate drops and
-- builds again.

-- trigram operators for ILIKE '%…%' (a trusted extension: the database's owner may create it)
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- free-text search: exactly the expression SEARCH_TEXT_SQL of src/store/discrepancy-queries.ts
CREATE INDEX CONCURRENTLY IF NOT EXISTS discrepancies_search ON discrepancies
  USING gin ((sku || ' ' || coalesce(location, '') || ' ' || id || ' ' || workflow_id || ' ' || coalesce(reference->>'id', '')) gin_trgm_ops);

-- a search for a source event id (`source_event_ids @> ARRAY[text]`)
CREATE INDEX CONCURRENTLY IF NOT EXISTS discrepancies_source_events ON discrepancies USING gin (source_event_ids);

-- one site's open cases by SLA left: the inbox's page is the first rows of this index (a list of
-- sites is walked site by site and merged). The filters' columns are keys, not INCLUDE, so a
-- filter (role, status, severity, kind, breached, assignee) is checked in the index before any
-- heap fetch; and the counts of a person's sites are an index-only scan of it.
CREATE INDEX CONCURRENTLY IF NOT EXISTS discrepancies_open_site_queue ON discrepancies
  (site, sla_deadline, id, owner_role, status, severity, kind, breached, assignee) WHERE status <> 'closed';

-- "assigned to me" and the assignee filter, by SLA left; and the count of "mine"
CREATE INDEX CONCURRENTLY IF NOT EXISTS discrepancies_open_assignee ON discrepancies (assignee, sla_deadline, id) WHERE status <> 'closed';

-- owner_role is set only while a case awaits approval: without these statistics the planner
-- multiplies the two filters' selectivities, underestimates, and picks bitmap plans that fetch
-- thousands of rows instead of walking the index above
CREATE STATISTICS IF NOT EXISTS discrepancies_queue_facets (dependencies, mcv) ON status, owner_role, severity, kind FROM discrepancies;
ANALYZE discrepancies;
