-- Policy versions are append-only: a version, once stored, is what the cases that pinned it
-- were decided under. Why each version was made is kept with it, and chained in the audit log.
ALTER TABLE policies ADD COLUMN IF NOT EXISTS reason text;

CREATE OR REPLACE FUNCTION policies_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'policies are append-only: % refused (store a new version instead)', TG_OP;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS policies_append_only ON policies;
CREATE TRIGGER policies_append_only BEFORE UPDATE OR DELETE ON policies
  FOR EACH ROW EXECUTE FUNCTION policies_refuse_change();
DROP TRIGGER IF EXISTS policies_no_truncate ON policies;
CREATE TRIGGER policies_no_truncate BEFORE TRUNCATE ON policies
  FOR EACH STATEMENT EXECUTE FUNCTION policies_refuse_change();
