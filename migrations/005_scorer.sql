-- Scorer v2: outcomes as the model learns from them, fitted models, and shadow-mode cases.

-- One outcome per closed case (001 created the table; the key is the case id, so recording
-- twice changes nothing). seq orders outcomes: the model's watermark is the newest seq it saw.
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS seq bigserial;
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS confirmed_cause text;      -- a root cause of scorer v2, when known
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS cause_source text
  CHECK (cause_source IN ('reason_code', 'rule', 'recount'));
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS changed boolean;           -- an independent verdict: a correction was needed
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS predicted_cause text;
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS raw_confidence numeric;
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS features jsonb;            -- scorer v2's features at the last scoring
ALTER TABLE outcomes ADD COLUMN IF NOT EXISTS shadow boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX IF NOT EXISTS outcomes_seq ON outcomes (seq);
-- what a fit reads: outcomes with features that teach something
CREATE INDEX IF NOT EXISTS outcomes_learnable ON outcomes (seq)
  WHERE features IS NOT NULL AND NOT shadow AND (confirmed_cause IS NOT NULL OR changed IS NOT NULL);

-- Fitted models: one row per watermark (the newest outcome seq the fit read), so concurrent
-- workers fitting the same outcomes agree on one version.
CREATE TABLE IF NOT EXISTS scorer_models (
  version     serial PRIMARY KEY,
  watermark   bigint NOT NULL UNIQUE,
  params      jsonb NOT NULL,
  outcomes    integer NOT NULL,
  fitted_at   timestamptz NOT NULL DEFAULT now()
);

-- Shadow mode: the read model says which cases were only recorded.
ALTER TABLE discrepancies ADD COLUMN IF NOT EXISTS shadow boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS discrepancies_shadow ON discrepancies (opened_at DESC, id) WHERE shadow;

-- Scorer v2 looks up the shift of a case's source events by event id alone.
CREATE INDEX IF NOT EXISTS inventory_events_event_id ON inventory_events (event_id);
