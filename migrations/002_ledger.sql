-- The reference ledger: a perpetual-inventory ledger that keeps a WMS view and an ERP view of
-- every balance, so WMS/ERP divergence is real. It serves the demo, the simulator, the tests and
-- small sites without a WMS API. Reckon writes to it only through the adapter ports.
--
-- Conventions: quantities are numeric in the SKU's base unit; an absent location is NULL,
-- except in balances where a site-level (unbinned) balance has location ''.
-- No foreign keys to items/locations: a system of record may post for stock it has no master
-- data for, and the ledger must still take the write.

CREATE SCHEMA IF NOT EXISTS ledger;

CREATE TABLE ledger.items (
  sku          text PRIMARY KEY,
  description  text NOT NULL DEFAULT '',
  sku_class    text NOT NULL DEFAULT 'C' CHECK (sku_class IN ('A', 'B', 'C')),
  unit_cost    numeric NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
  uom          text NOT NULL DEFAULT 'EA'
);

CREATE TABLE ledger.locations (
  site      text NOT NULL,
  location  text NOT NULL,
  zone      text,
  PRIMARY KEY (site, location)
);

CREATE TABLE ledger.balances (
  site        text NOT NULL,
  location    text NOT NULL DEFAULT '',
  sku         text NOT NULL,
  wms_qty     numeric NOT NULL DEFAULT 0,
  erp_qty     numeric NOT NULL DEFAULT 0,
  held_qty    numeric NOT NULL DEFAULT 0 CHECK (held_qty >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (site, location, sku)
);
CREATE INDEX balances_site_sku ON ledger.balances (site, sku);

CREATE TABLE ledger.transactions (
  id              text PRIMARY KEY,
  site            text NOT NULL,
  location        text,
  sku             text NOT NULL,
  type            text NOT NULL,
  qty             numeric NOT NULL,
  user_id         text,
  device_id       text,
  occurred_at     timestamptz NOT NULL,
  reason_code     text,
  reference_kind  text,
  reference_id    text,
  reference_line  text,
  posted_to_erp   boolean NOT NULL DEFAULT false
);
CREATE INDEX transactions_stock ON ledger.transactions (site, sku, occurred_at DESC);

CREATE TABLE ledger.allocations (
  id             text PRIMARY KEY,
  order_id       text NOT NULL,
  site           text NOT NULL,
  location       text,
  sku            text NOT NULL,
  qty            numeric NOT NULL CHECK (qty >= 0),
  picked_qty     numeric NOT NULL DEFAULT 0 CHECK (picked_qty >= 0),
  issued_in_erp  boolean NOT NULL DEFAULT false
);
CREATE INDEX allocations_open ON ledger.allocations (site, sku) WHERE NOT issued_in_erp;

CREATE TABLE ledger.inbound_documents (
  doc_kind       text NOT NULL CHECK (doc_kind IN ('asn', 'po', 'receipt')),
  id             text NOT NULL,
  line           text NOT NULL DEFAULT '',   -- '' when the document has no lines
  site           text NOT NULL,
  location       text,
  sku            text NOT NULL,
  expected_qty   numeric NOT NULL DEFAULT 0,
  received_qty   numeric NOT NULL DEFAULT 0,
  posted_to_erp  boolean NOT NULL DEFAULT false,
  received_at    timestamptz,
  PRIMARY KEY (doc_kind, id, line)
);
CREATE INDEX inbound_documents_stock ON ledger.inbound_documents (site, sku);

CREATE TABLE ledger.transfers (
  id               text PRIMARY KEY,
  sku              text NOT NULL,
  from_site        text NOT NULL,
  from_location    text,
  to_site          text NOT NULL,
  to_location      text,
  qty              numeric NOT NULL CHECK (qty > 0),
  shipped_at       timestamptz NOT NULL,
  eta              timestamptz NOT NULL,
  received_in_wms  boolean NOT NULL DEFAULT false,
  received_in_erp  boolean NOT NULL DEFAULT false,
  received_at      timestamptz
);
CREATE INDEX transfers_outbound ON ledger.transfers (from_site, sku) WHERE NOT received_in_erp;
CREATE INDEX transfers_inbound ON ledger.transfers (to_site, sku) WHERE NOT received_in_erp;

CREATE TABLE ledger.returns (
  id             text PRIMARY KEY,
  site           text NOT NULL,
  location       text,
  sku            text NOT NULL,
  qty            numeric NOT NULL CHECK (qty > 0),
  received_at    timestamptz NOT NULL,
  dispositioned  boolean NOT NULL DEFAULT false
);
CREATE INDEX returns_pending ON ledger.returns (site, sku) WHERE NOT dispositioned;

CREATE TABLE ledger.holds (
  id               text PRIMARY KEY,
  site             text NOT NULL,
  location         text,
  sku              text NOT NULL,
  qty              numeric NOT NULL CHECK (qty > 0),
  reason           text NOT NULL,
  case_id          text NOT NULL,
  idempotency_key  text NOT NULL UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  released_at      timestamptz,
  release_key      text
);

CREATE TABLE ledger.count_tasks (
  id               text PRIMARY KEY,
  site             text NOT NULL,
  location         text,
  sku              text NOT NULL,
  case_id          text NOT NULL,
  reason           text NOT NULL,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  idempotency_key  text NOT NULL UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  counted_qty      numeric,
  counted_by       text,
  counted_at       timestamptz
);
CREATE INDEX count_tasks_open ON ledger.count_tasks (site, sku) WHERE status = 'open';

-- Count history: results of count tasks (task_id set, at most one per task) and imported counts.
CREATE TABLE ledger.counts (
  id           text PRIMARY KEY,
  site         text NOT NULL,
  location     text,
  sku          text NOT NULL,
  counted_qty  numeric NOT NULL,
  counted_by   text,
  counted_at   timestamptz NOT NULL,
  task_id      text UNIQUE REFERENCES ledger.count_tasks (id),
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX counts_stock ON ledger.counts (site, sku, counted_at DESC);

CREATE TABLE ledger.adjustments (
  id               text PRIMARY KEY,
  site             text NOT NULL,
  location         text,
  sku              text NOT NULL,
  qty              numeric NOT NULL CHECK (qty <> 0),
  target           text NOT NULL CHECK (target IN ('both', 'erp')),
  reason_code      text NOT NULL,
  case_id          text NOT NULL,
  actor            text NOT NULL,
  idempotency_key  text NOT NULL UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX adjustments_stock ON ledger.adjustments (site, sku, created_at DESC);

CREATE TABLE ledger.notifications (
  id               text PRIMARY KEY,
  role             text NOT NULL,
  site             text NOT NULL,
  case_id          text NOT NULL,
  subject          text NOT NULL,
  body             text NOT NULL,
  idempotency_key  text NOT NULL UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_case ON ledger.notifications (case_id, created_at);
