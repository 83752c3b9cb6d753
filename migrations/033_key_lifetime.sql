-- API keys expire (optional, set at creation) and record when they were last used, so stale and
-- forgotten keys can be found and revoked (`npm run keys -- list`).
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS expires_at timestamptz;
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS last_used_at timestamptz;
