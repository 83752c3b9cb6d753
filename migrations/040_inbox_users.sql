-- People who sign in to the inbox (src/web). Roles and sites mean what they mean on API keys.
-- Passwords are stored only as scrypt hashes (src/web/passwords.ts). Repeated failed sign-ins
-- lock the account for a growing time (locked_until), so guessing is slow.
CREATE TABLE IF NOT EXISTS users (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  roles           text[] NOT NULL,
  sites           text[] NOT NULL,
  password_hash   text NOT NULL,
  failed_signins  integer NOT NULL DEFAULT 0,
  locked_until    timestamptz,
  disabled_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Browser sessions: the cookie holds a random token; only its sha256 is stored. Each session
-- has its own CSRF token, sent back in every form and mutating call.
CREATE TABLE IF NOT EXISTS web_sessions (
  token_hash  text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS web_sessions_user ON web_sessions (user_id);
CREATE INDEX IF NOT EXISTS web_sessions_expiry ON web_sessions (expires_at);
