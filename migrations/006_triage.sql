-- Triage: a priority per case, incidents (open cases clustered by what they share), and the
-- cycle-count planner's recorded runs. Written by the projection step (src/triage/project.ts)
-- and the planner's activities (src/planner/*); read by /v1/discrepancies, /v1/incidents and
-- /v1/count-plans.

-- Triage priority on the read model (src/domain/triage.ts): a 0–100 score, its band P1–P4 and
-- the factors it came from. The queue sorts on it (sort=priority) and filters on the band.
ALTER TABLE discrepancies ADD COLUMN IF NOT EXISTS triage_score numeric;
ALTER TABLE discrepancies ADD COLUMN IF NOT EXISTS triage_band text;
ALTER TABLE discrepancies ADD COLUMN IF NOT EXISTS triage jsonb;
CREATE INDEX IF NOT EXISTS discrepancies_triage ON discrepancies (triage_score DESC NULLS LAST, id DESC);
CREATE INDEX IF NOT EXISTS discrepancies_triage_band ON discrepancies (triage_band, site) WHERE status <> 'closed';

-- An optional family attribute in the reference ledger's item master: when set it is the SKU's
-- family for clustering; otherwise the family comes from the SKU's own structure (see links.ts).
ALTER TABLE ledger.items ADD COLUMN IF NOT EXISTS family text;

-- What each case shares with others: its bin, the users who caused it, its document, its SKU
-- family. One row per (case, link); `open` until the case closes. The partial index finds the
-- other open cases of a link without looking at closed history.
CREATE TABLE IF NOT EXISTS case_links (
  case_id    text NOT NULL,
  site       text NOT NULL,
  link_kind  text NOT NULL CHECK (link_kind IN ('bin', 'user', 'document', 'sku_family')),
  link_key   text NOT NULL,
  open       boolean NOT NULL DEFAULT true,
  linked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, link_kind, link_key)
);
CREATE INDEX IF NOT EXISTS case_links_open ON case_links (site, link_kind, link_key) WHERE open;

-- An incident: two or more open cases of one site sharing one link. At most one open incident
-- per link; when fewer than two of its cases remain open it closes, and a later pair sharing the
-- link starts a new incident (seq + 1), so a closed incident keeps its history.
CREATE TABLE IF NOT EXISTS incidents (
  id          text PRIMARY KEY,
  site        text NOT NULL,
  link_kind   text NOT NULL,
  link_key    text NOT NULL,
  seq         integer NOT NULL,
  status      text NOT NULL CHECK (status IN ('open', 'closed')),
  opened_at   timestamptz NOT NULL DEFAULT now(),
  closed_at   timestamptz,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (site, link_kind, link_key, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS incidents_one_open ON incidents (site, link_kind, link_key) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS incidents_list ON incidents (status, site, opened_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS incidents_opened ON incidents (opened_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS incident_cases (
  incident_id  text NOT NULL REFERENCES incidents (id),
  case_id      text NOT NULL,
  joined_at    timestamptz NOT NULL DEFAULT now(),
  left_at      timestamptz,
  PRIMARY KEY (incident_id, case_id)
);
CREATE INDEX IF NOT EXISTS incident_cases_case ON incident_cases (case_id);

-- Cycle-count plans: each planner run's ranked list, recorded once per run (the run id is the
-- workflow id, stable across retries), and the count task each entry got.
CREATE TABLE IF NOT EXISTS count_plans (
  id            text PRIMARY KEY,
  site          text NOT NULL,
  planned_at    timestamptz NOT NULL DEFAULT now(),
  top_n         integer NOT NULL,
  considered    integer NOT NULL,
  model_version text NOT NULL,
  status        text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'tasks_created')),
  completed_at  timestamptz
);
CREATE INDEX IF NOT EXISTS count_plans_site ON count_plans (site, planned_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS count_plans_planned ON count_plans (planned_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS count_plan_items (
  plan_id    text NOT NULL REFERENCES count_plans (id),
  rank       integer NOT NULL,
  location   text NOT NULL,
  risk       numeric NOT NULL,
  factors    jsonb NOT NULL,
  reasons    text[] NOT NULL DEFAULT '{}',
  skus       text[] NOT NULL,
  task_ids   text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (plan_id, rank),
  UNIQUE (plan_id, location)
);

-- The planner's per-location reads over a site: cases by location, counts by location.
CREATE INDEX IF NOT EXISTS discrepancies_site_location ON discrepancies (site, location, opened_at);
CREATE INDEX IF NOT EXISTS counts_location ON ledger.counts (site, location, counted_at DESC);
CREATE INDEX IF NOT EXISTS count_tasks_open_location ON ledger.count_tasks (site, location) WHERE status = 'open';
-- The planner's per-site window of transactions (the stock index leads with sku).
CREATE INDEX IF NOT EXISTS transactions_site_time ON ledger.transactions (site, occurred_at);
