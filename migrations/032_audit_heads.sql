-- Each audit chain's length and last hash, written in the transaction that appends its rows, with
-- a keyed MAC: `npm run audit -- verify` sees rows cut from a chain's end and chains deleted whole.
CREATE TABLE IF NOT EXISTS audit_chain_heads (
  case_id     text PRIMARY KEY,
  length      integer NOT NULL,
  head_hash   text NOT NULL,
  mac         text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Rows stored before the chain hash was keyed (plain SHA-256) are those up to this id; every
-- later row is an HMAC with AUDIT_HMAC_KEY. The app role may only read this (grantAppRole).
CREATE TABLE IF NOT EXISTS audit_settings (
  singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  legacy_max_id  bigint NOT NULL
);
INSERT INTO audit_settings (legacy_max_id) SELECT COALESCE(MAX(id), 0) FROM audit_log ON CONFLICT DO NOTHING;
