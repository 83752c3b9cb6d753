-- Supplier drift (docs/accuracy.md): the CUSUM over receipt-vs-ASN variances per supplier reads
-- ASN and receipt events by site and time; what it last reported per supplier is kept, so a
-- finding is reported once per new delivery, to the same sku's case while the drift lasts.
CREATE INDEX IF NOT EXISTS inventory_events_inbound ON inventory_events (site, occurred_at)
  WHERE type IN ('asn', 'receipt');

CREATE TABLE IF NOT EXISTS supplier_drift_reports (
  site              text NOT NULL,
  supplier          text NOT NULL,
  sku               text NOT NULL,
  last_delivery_at  timestamptz NOT NULL,
  reported_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (site, supplier)
);
