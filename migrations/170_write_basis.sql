-- What an automatic write to the WMS/ERP was decided on, kept before the write is sent
-- (src/store/write-basis.ts). A case that auto-resolves in one workflow task posts its
-- correction before Temporal has recorded what the case read; if that task is run again (a
-- worker died before completing it), the case finds its policy, evidence, score and decision
-- here and closes on them, not on stock its own write has since moved. Needed only until that
-- task completes; rows older than the retention are pruned by later writes.
CREATE TABLE IF NOT EXISTS write_basis (
  run_id text PRIMARY KEY,
  case_id text NOT NULL,
  basis jsonb NOT NULL,
  kept_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS write_basis_kept_at ON write_basis (kept_at);
