-- Detection: what the detectors found for each event (an outbox towards Temporal, and the
-- record detection latency is measured from), the reference ledger's applied-event guard, and
-- the features the detectors read, kept incrementally per event (no scans of the event table).

-- An event is processed once its detections were handed to cases and its watchers signalled;
-- a redelivery of an event that was stored but not processed finishes the job.
ALTER TABLE inventory_events ADD COLUMN IF NOT EXISTS processed_at timestamptz;

CREATE TABLE IF NOT EXISTS detections (
  id                bigserial PRIMARY KEY,
  event_source      text NOT NULL,
  event_id          text NOT NULL,
  detector          text NOT NULL,
  detector_version  text NOT NULL,
  dedupe_key        text NOT NULL,
  -- report: start or merge a case now; settle: hand to a settling watch that reports later if it persists
  mode              text NOT NULL DEFAULT 'report' CHECK (mode IN ('report', 'settle')),
  report            jsonb NOT NULL,
  -- when Reckon received the event (for watchers: when the expected event became overdue)
  received_at       timestamptz NOT NULL,
  dispatched_at     timestamptz,
  reported_at       timestamptz,
  case_id           text,
  workflow_id       text,
  UNIQUE (event_source, event_id, detector, dedupe_key)
);
CREATE INDEX IF NOT EXISTS detections_undispatched ON detections (received_at) WHERE dispatched_at IS NULL;
CREATE INDEX IF NOT EXISTS detections_case ON detections (case_id);
CREATE INDEX IF NOT EXISTS detections_key ON detections (dedupe_key);

-- Detection latency per case: from the first detection that started or joined it to the
-- moment the case opened. A detection merged into a case opened earlier is not its start.
CREATE OR REPLACE VIEW case_detection_latency AS
SELECT DISTINCT ON (c.id)
  c.id AS case_id, c.kind, c.site, d.detector, d.detector_version, d.event_source, d.event_id,
  d.received_at, c.opened_at,
  GREATEST(0, EXTRACT(EPOCH FROM (c.opened_at - d.received_at)) * 1000)::bigint AS detection_latency_ms
FROM discrepancies c
JOIN detections d ON d.case_id = c.id AND d.received_at <= c.opened_at
ORDER BY c.id, d.received_at ASC, d.id ASC;

-- The reference ledger applies each event once: a replay of the same (source, eventId) is a no-op.
CREATE TABLE IF NOT EXISTS ledger.applied_events (
  source      text NOT NULL,
  event_id    text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, event_id)
);

CREATE SCHEMA IF NOT EXISTS features;

-- Event-derived running balances, for sites whose system of record Reckon only hears about
-- through events (with the reference adapter the ledger's balances are the system view).
CREATE TABLE IF NOT EXISTS features.stock (
  site        text NOT NULL,
  location    text NOT NULL DEFAULT '',
  sku         text NOT NULL,
  wms_qty     numeric NOT NULL DEFAULT 0,
  erp_qty     numeric NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (site, location, sku)
);

-- When stock was last put into a bin (receipt, putaway, move or transfer in, return): a pick
-- from a bin nothing was ever put into is a mis-scan signal.
CREATE TABLE IF NOT EXISTS features.bin_activity (
  site           text NOT NULL,
  location       text NOT NULL,
  sku            text NOT NULL,
  last_stocked_at timestamptz,
  last_picked_at  timestamptz,
  PRIMARY KEY (site, location, sku)
);

-- The last scan of each user and device: where and when.
CREATE TABLE IF NOT EXISTS features.last_scan (
  site        text NOT NULL,
  scanner     text NOT NULL,            -- user:<id> or device:<id>
  location    text NOT NULL,
  zone        text,
  at          timestamptz NOT NULL,
  event_id    text NOT NULL,
  PRIMARY KEY (site, scanner)
);

-- Inbound document lines (ASN, PO): expected against received; closed once compared.
CREATE TABLE IF NOT EXISTS features.inbound_lines (
  site          text NOT NULL,
  doc_kind      text NOT NULL CHECK (doc_kind IN ('asn', 'po')),
  doc_id        text NOT NULL,
  line          text NOT NULL DEFAULT '',
  sku           text,
  location      text,
  expected_qty  numeric NOT NULL DEFAULT 0,
  received_qty  numeric NOT NULL DEFAULT 0,
  announced     boolean NOT NULL DEFAULT false,  -- the document itself was seen (not only receipts)
  closed_at     timestamptz,
  PRIMARY KEY (site, doc_kind, doc_id, line)
);

-- Unexplained negative adjustments per user, shift and location, in daily buckets: the rolling
-- window of shrink_pattern reads a site's buckets for the window, never the events.
CREATE TABLE IF NOT EXISTS features.adjustment_buckets (
  site        text NOT NULL,
  dimension   text NOT NULL CHECK (dimension IN ('user', 'shift', 'location')),
  key         text NOT NULL,
  day         date NOT NULL,
  loss_units  numeric NOT NULL DEFAULT 0,
  loss_count  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (site, dimension, day, key)
);

-- Lots on hand per bin with their expiry: FEFO and expired-stock checks.
CREATE TABLE IF NOT EXISTS features.lots (
  site        text NOT NULL,
  location    text NOT NULL,
  sku         text NOT NULL,
  lot         text NOT NULL,
  expires_on  date,
  qty         numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (site, sku, location, lot)
);
CREATE INDEX IF NOT EXISTS lots_on_hand ON features.lots (site, sku, expires_on) WHERE qty > 0;
