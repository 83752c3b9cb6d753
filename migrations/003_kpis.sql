-- Indexes for GET /v1/kpis and the API's /metrics case figures (src/store/kpi-queries.ts).
-- bench/kpis.ts times every KPI query over 1M synthetic cases with and without these indexes.
--
-- Built inside the migration's transaction (the migrator runs each file in one), so on a large
-- existing table they hold a write lock while they build: on a live system with millions of
-- cases, create them beforehand with CREATE INDEX CONCURRENTLY under the same names, and this
-- file then does nothing.

-- KPI windows are "cases opened in [from, to)", for every site or a few. The queue's index
-- (status, site, opened_at) leads with status, so a time window across all statuses could only
-- scan it whole. Site first for the common per-site request (one range per site in the list);
-- opened_at alone for the all-sites view of an admin key.
CREATE INDEX IF NOT EXISTS discrepancies_site_opened ON discrepancies (site, opened_at);
CREATE INDEX IF NOT EXISTS discrepancies_opened ON discrepancies (opened_at);

-- Aging counts only open cases, a small share of the table once cases close; a partial index
-- keeps that count proportional to the open cases, not to history.
CREATE INDEX IF NOT EXISTS discrepancies_open_age ON discrepancies (site, opened_at) WHERE status <> 'closed';

-- /metrics groups every case by kind, status and resolution on each (cached) refresh: as an
-- index-only scan this reads a narrow index instead of the wide rows (evidence, score, decision).
CREATE INDEX IF NOT EXISTS discrepancies_kpi_state ON discrepancies (kind, status, resolution);

-- The audit log grows ten or more rows per case; the KPIs need only a few actions of it (recount
-- requested, review requested, SLA breached, escalated). A partial index holds just those rows,
-- keyed by case for the cohort join and by action for the metric counts.
CREATE INDEX IF NOT EXISTS audit_log_kpi ON audit_log (case_id, action)
  WHERE action IN ('count_task_created', 'approval_requested', 'sla_breached', 'escalated', 'terminal_action');
CREATE INDEX IF NOT EXISTS audit_log_kpi_action ON audit_log (action, case_id)
  WHERE action IN ('sla_breached', 'escalated', 'terminal_action');
