-- An event id is unique per source and site: a key of one site cannot pre-claim (and so drop)
-- another site's event ids, nor read the cases another site's event opened.
ALTER TABLE inventory_events DROP CONSTRAINT IF EXISTS inventory_events_pkey;
ALTER TABLE inventory_events ADD PRIMARY KEY (source, site, event_id);

ALTER TABLE ledger.applied_events ADD COLUMN IF NOT EXISTS site text NOT NULL DEFAULT '';
ALTER TABLE ledger.applied_events DROP CONSTRAINT IF EXISTS applied_events_pkey;
ALTER TABLE ledger.applied_events ADD PRIMARY KEY (source, site, event_id);

-- the site of the event (or watch) that caused a detection; a report may name another site
ALTER TABLE detections ADD COLUMN IF NOT EXISTS event_site text;
UPDATE detections d SET event_site = e.site
  FROM inventory_events e WHERE d.event_site IS NULL AND e.source = d.event_source AND e.event_id = d.event_id;
UPDATE detections SET event_site = report->>'site' WHERE event_site IS NULL;
ALTER TABLE detections ALTER COLUMN event_site SET NOT NULL;
ALTER TABLE detections DROP CONSTRAINT IF EXISTS detections_event_source_event_id_detector_dedupe_key_key;
ALTER TABLE detections ADD CONSTRAINT detections_cause_unique UNIQUE (event_source, event_site, event_id, detector, dedupe_key);
