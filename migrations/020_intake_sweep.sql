-- The intake sweeper finishes events whose second phase (cases, watcher signals) never ran:
-- a claim per event so two sweepers never work on the same one, and an index over the
-- unfinished ones so a sweep never scans the whole event table.
ALTER TABLE inventory_events ADD COLUMN IF NOT EXISTS dispatch_claimed_at timestamptz;
CREATE INDEX IF NOT EXISTS inventory_events_unprocessed ON inventory_events (received_at) WHERE processed_at IS NULL;
