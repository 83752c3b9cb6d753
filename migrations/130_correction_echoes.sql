-- A WMS/ERP that echoes Reckon's own correction back as an `adjustment` event must not move
-- Reckon's running balances a second time (the correction moved them when it was posted).
-- The WMS's adjustment id is what the echo is recognised by, beside the idempotency key;
-- echo_event names the stored event that echoed the correction (stored, audited, not re-applied).
ALTER TABLE model.corrections ADD COLUMN IF NOT EXISTS adjustment_id text;
ALTER TABLE model.corrections ADD COLUMN IF NOT EXISTS echo_event text;
CREATE INDEX IF NOT EXISTS corrections_adjustment_id ON model.corrections (adjustment_id) WHERE adjustment_id IS NOT NULL;
