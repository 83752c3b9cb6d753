-- A case's state as last recorded (without the evidence and score, which have columns of their
-- own): the case page is served from the read model, not by querying (replaying) the workflow.
ALTER TABLE discrepancies ADD COLUMN IF NOT EXISTS state jsonb;

-- The workflow keeps only its latest source event ids (a busy key sends thousands, and the state
-- rides in every record and continue-as-new); the read model keeps every one of them here.
ALTER TABLE discrepancies ADD COLUMN IF NOT EXISTS source_event_count integer;
CREATE TABLE IF NOT EXISTS case_source_events (
  case_id     text NOT NULL,
  event_id    text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, event_id)
);
