-- Reckon's own item and location master (issue 9): what it learned from events, or asked the
-- WMS/ERP through the ports the first time it saw a sku or bin. Detectors, triage, the planner
-- and stock at risk read these, never the fake WMS/ERP's tables.
ALTER TABLE model.items ADD COLUMN IF NOT EXISTS family text;
-- the ERP's replenishment levels (NULL: it gives none, and the policy's days of cover stand in)
ALTER TABLE model.items ADD COLUMN IF NOT EXISTS reorder_point numeric;
ALTER TABLE model.items ADD COLUMN IF NOT EXISTS safety_stock numeric;

CREATE TABLE IF NOT EXISTS model.locations (
  site        text NOT NULL,
  location    text NOT NULL,
  zone        text,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (site, location)
);

-- Corrections Reckon itself posted through the WMS/ERP ports, applied once (by idempotency key)
-- to its running balances: the next event at the bin is compared with the corrected stock.
CREATE TABLE IF NOT EXISTS model.corrections (
  idempotency_key  text PRIMARY KEY,
  site             text NOT NULL,
  location         text NOT NULL DEFAULT '',
  sku              text NOT NULL,
  qty              numeric NOT NULL,
  target           text NOT NULL CHECK (target IN ('both', 'erp')),
  case_id          text NOT NULL,
  applied_at       timestamptz NOT NULL DEFAULT now()
);

-- Count tasks Reckon asked the WMS for (a case's recount or a cycle-count plan's count), and
-- their results as the counter reported them: POST /v1/counts and the counter's view read these.
CREATE TABLE IF NOT EXISTS count_tasks (
  id           text PRIMARY KEY,             -- the WMS's task id
  site         text NOT NULL,
  location     text,
  sku          text NOT NULL,
  owner_id     text NOT NULL,                -- the case, or the cycle-count plan, that asked
  reason       text NOT NULL,
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  counted_qty  numeric,
  counted_by   text,
  counted_at   timestamptz,
  book_qty     numeric
);
CREATE INDEX IF NOT EXISTS count_tasks_open_site ON count_tasks (site, created_at) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS count_tasks_owner ON count_tasks (owner_id);
