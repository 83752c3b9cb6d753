-- Stock at risk (docs/triage.md): the ERP's replenishment levels per sku in the reference
-- ledger's item master. NULL: the ERP gives none, and the policy's days of cover stand in.
ALTER TABLE ledger.items ADD COLUMN IF NOT EXISTS reorder_point numeric;
ALTER TABLE ledger.items ADD COLUMN IF NOT EXISTS safety_stock numeric;

-- The KPI list of skus whose replenishment open cases distort reads open cases' triage.
CREATE INDEX IF NOT EXISTS discrepancies_open_reorder ON discrepancies (site, sku)
  WHERE status <> 'closed' AND (triage->'availability'->>'crossesReorderPoint') = 'true';
