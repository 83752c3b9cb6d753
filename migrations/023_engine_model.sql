-- Reckon's own model of the warehouse, learned from the events it receives (whatever the
-- adapter): every stock movement per bin with who made it, counts, and what events said about an
-- item's cost and class. The planner and triage read these where the WMS/ERP is remote; the
-- fake WMS/ERP's tables are never the engine's.
CREATE SCHEMA IF NOT EXISTS model;

CREATE TABLE IF NOT EXISTS model.movements (
  id            text PRIMARY KEY,          -- source:eventId, #n for the second bin of a move
  site          text NOT NULL,
  location      text NOT NULL DEFAULT '',
  sku           text NOT NULL,
  type          text NOT NULL,
  qty           numeric NOT NULL,          -- signed change to the WMS view
  user_id       text,
  device_id     text,
  occurred_at   timestamptz NOT NULL,
  reason_code   text,
  reference_kind text,
  reference_id  text
);
CREATE INDEX IF NOT EXISTS model_movements_bin ON model.movements (site, location, occurred_at);
CREATE INDEX IF NOT EXISTS model_movements_sku ON model.movements (site, sku, occurred_at);
CREATE INDEX IF NOT EXISTS model_movements_user ON model.movements (site, user_id, occurred_at) WHERE user_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS model.counts (
  id          text PRIMARY KEY,
  site        text NOT NULL,
  location    text NOT NULL DEFAULT '',
  sku         text NOT NULL,
  counted_qty numeric NOT NULL,
  counted_by  text,
  counted_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS model_counts_bin ON model.counts (site, location, counted_at);

CREATE TABLE IF NOT EXISTS model.items (
  sku         text PRIMARY KEY,
  unit_cost   numeric NOT NULL,
  sku_class   text NOT NULL CHECK (sku_class IN ('A', 'B', 'C')),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
