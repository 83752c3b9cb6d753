-- Notifications that leave the building: one row per (notification, channel, recipient), written
-- before anything is sent, with its outcome; one row per try. The notification's idempotency key
-- (made by the case workflow) keeps a retried activity from sending twice.
CREATE TABLE IF NOT EXISTS notification_sends (
  id               text PRIMARY KEY,
  idempotency_key  text NOT NULL,
  case_id          text NOT NULL,
  role             text NOT NULL,
  site             text NOT NULL,
  channel          text NOT NULL CHECK (channel IN ('email', 'webhook', 'chat')),
  -- an email address, or the endpoint's name (never a secret or a tokenised URL)
  recipient        text NOT NULL,
  subject          text NOT NULL,
  -- what is sent, rendered once so every try sends the same thing
  payload          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
  attempts         int NOT NULL DEFAULT 0,
  max_attempts     int NOT NULL,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz,
  UNIQUE (idempotency_key, channel, recipient)
);
CREATE INDEX IF NOT EXISTS notification_sends_case ON notification_sends (case_id, created_at);
CREATE INDEX IF NOT EXISTS notification_sends_status ON notification_sends (status, created_at);

CREATE TABLE IF NOT EXISTS notification_attempts (
  send_id     text NOT NULL REFERENCES notification_sends (id),
  attempt     int NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  outcome     text NOT NULL CHECK (outcome IN ('sent', 'failed')),
  detail      text,
  PRIMARY KEY (send_id, attempt)
);
