-- Scheduled WMS/ERP reconciliation: each run, and each difference beyond tolerance it found with
-- both systems' figures and when each snapshot page was taken (the evidence behind the case).
CREATE TABLE IF NOT EXISTS reconciliation_runs (
  id              text PRIMARY KEY,
  site            text NOT NULL,
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  skus_compared   integer NOT NULL DEFAULT 0,
  differences     integer NOT NULL DEFAULT 0,
  cases_opened    integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS reconciliation_runs_site ON reconciliation_runs (site, started_at DESC);

CREATE TABLE IF NOT EXISTS reconciliation_differences (
  run_id        text NOT NULL REFERENCES reconciliation_runs (id),
  site          text NOT NULL,
  sku           text NOT NULL,
  wms_qty       numeric NOT NULL,
  erp_qty       numeric NOT NULL,
  wms_taken_at  timestamptz NOT NULL,
  erp_taken_at  timestamptz NOT NULL,
  -- case: a case was started (or the report joined its own earlier one); already_open: an open mismatch case covers it
  outcome       text NOT NULL CHECK (outcome IN ('case', 'already_open', 'not_reportable')),
  case_id       text,
  PRIMARY KEY (run_id, sku)
);
