-- Reckon core schema: read model, audit log, policies, outcomes, API keys, events.

CREATE TABLE IF NOT EXISTS policies (
  version     integer PRIMARY KEY,
  document    jsonb NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The read model: one row per case, every field the queue filters on.
CREATE TABLE IF NOT EXISTS discrepancies (
  id               text PRIMARY KEY,          -- the case id (first run id of the workflow)
  workflow_id      text NOT NULL,
  dedupe_key       text NOT NULL,
  kind             text NOT NULL,
  site             text NOT NULL,
  sku              text NOT NULL,
  location         text,
  reference        jsonb,
  status           text NOT NULL,
  severity         text,
  resolution       text,
  owner_role       text,
  assignee         text,
  escalation_level integer NOT NULL DEFAULT 0,
  breached         boolean NOT NULL DEFAULT false,
  sla_deadline     timestamptz,
  expected_qty     numeric NOT NULL,
  observed_qty     numeric NOT NULL,
  variance         numeric NOT NULL,
  unit_cost        numeric NOT NULL,
  value_at_risk    numeric NOT NULL,
  sku_class        text NOT NULL,
  source           text NOT NULL,
  occurrences      integer NOT NULL DEFAULT 1,
  source_event_ids text[] NOT NULL DEFAULT '{}',
  policy_version   integer,
  scorer_version   text,
  confidence       numeric,
  priority         integer,
  explanation      text,
  score            jsonb,
  evidence         jsonb,
  decision         jsonb,
  detected_at      timestamptz NOT NULL,
  opened_at        timestamptz NOT NULL,
  first_action_at  timestamptz,
  closed_at        timestamptz,
  row_version      integer NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS discrepancies_queue ON discrepancies (status, site, opened_at DESC, id);
CREATE INDEX IF NOT EXISTS discrepancies_workflow ON discrepancies (workflow_id, opened_at DESC);
CREATE INDEX IF NOT EXISTS discrepancies_owner ON discrepancies (owner_role, status);
CREATE INDEX IF NOT EXISTS discrepancies_sla ON discrepancies (sla_deadline) WHERE status <> 'closed';
CREATE INDEX IF NOT EXISTS discrepancies_value ON discrepancies (value_at_risk DESC, id);
CREATE INDEX IF NOT EXISTS discrepancies_sku ON discrepancies (sku, site);

-- Append-only audit log, hash-chained per case.
CREATE TABLE IF NOT EXISTS audit_log (
  id             bigserial PRIMARY KEY,
  case_id        text NOT NULL,
  seq            integer NOT NULL,
  at             timestamptz NOT NULL,
  action         text NOT NULL,
  actor_kind     text NOT NULL,      -- system | rule | scorer | user
  actor_id       text NOT NULL,
  status         text,
  detail         jsonb NOT NULL DEFAULT '{}',
  policy_version integer,
  scorer_version text,
  evidence_digest text,
  prev_hash      text NOT NULL,
  hash           text NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (case_id, seq)
);
CREATE INDEX IF NOT EXISTS audit_log_case ON audit_log (case_id, seq);

CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

CREATE TABLE IF NOT EXISTS outcomes (
  case_id      text PRIMARY KEY,
  kind         text NOT NULL,
  site         text NOT NULL,
  resolution   text NOT NULL,
  root_cause   text,
  true_positive boolean,
  scorer_version text,
  confidence   numeric,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS api_keys (
  id          text PRIMARY KEY,
  key_hash    text NOT NULL UNIQUE,
  user_id     text NOT NULL,
  roles       text[] NOT NULL,
  sites       text[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE TABLE IF NOT EXISTS inventory_events (
  source       text NOT NULL,
  event_id     text NOT NULL,
  type         text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  site         text NOT NULL,
  sku          text,
  body         jsonb NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, event_id)
);
