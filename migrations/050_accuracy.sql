-- The accuracy programme (docs/accuracy.md): every count as Reckon judged it, the ABC classes
-- Reckon computes per site, and why each planned bin is on its night's plan.

-- One row per count result (a count event or a count task's result): the system quantity it was
-- compared with, the class, cost and zone when counted, and the policy's tolerance verdict.
-- Inventory record accuracy (IRA) and drift are read from here, never from the event table.
CREATE TABLE IF NOT EXISTS count_results (
  id                text PRIMARY KEY,            -- event:<source>:<eventId> or task:<taskId>
  origin            text NOT NULL CHECK (origin IN ('event', 'task')),
  site              text NOT NULL,
  location          text,
  zone              text,
  sku               text NOT NULL,
  sku_class         text NOT NULL CHECK (sku_class IN ('A', 'B', 'C')),
  unit_cost         numeric NOT NULL DEFAULT 0,
  system_qty        numeric NOT NULL,
  counted_qty       numeric NOT NULL,
  within_tolerance  boolean NOT NULL,
  counted_at        timestamptz NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS count_results_site_time ON count_results (site, counted_at);
CREATE INDEX IF NOT EXISTS count_results_bin ON count_results (site, location, sku, counted_at);

-- ABC classes per site and sku: computed by Pareto on annual usage value, or set by a person.
-- The effective class is the override, else (policy) the ERP's or the computed one.
CREATE TABLE IF NOT EXISTS sku_classes (
  site                text NOT NULL,
  sku                 text NOT NULL,
  computed_class      text CHECK (computed_class IN ('A', 'B', 'C')),
  annual_usage_value  numeric,
  computed_at         timestamptz,
  override_class      text CHECK (override_class IN ('A', 'B', 'C')),
  override_by         text,
  override_reason     text,
  override_at         timestamptz,
  PRIMARY KEY (site, sku)
);

-- frequency: the bin is due by its class's count frequency; risk: chosen for risk with what is left.
ALTER TABLE count_plan_items ADD COLUMN IF NOT EXISTS purpose text NOT NULL DEFAULT 'risk' CHECK (purpose IN ('frequency', 'risk'));

-- The ABC classification's read: a site's outbound movements over the history window.
CREATE INDEX IF NOT EXISTS inventory_events_usage ON inventory_events (site, occurred_at)
  WHERE type IN ('pick', 'shipment', 'sale', 'transfer_shipped');
