-- In-app notifications (assignment, escalation, SLA breach, audit problems): Reckon's own record
-- of who was told what, read by the inbox and operators. They used to land in the demo fake's
-- ledger.notifications, which a real WMS/ERP deployment does not have.
CREATE TABLE IF NOT EXISTS in_app_notifications (
  id               text PRIMARY KEY,
  role             text NOT NULL,
  site             text NOT NULL,
  case_id          text NOT NULL,
  subject          text NOT NULL,
  body             text NOT NULL,
  idempotency_key  text NOT NULL UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS in_app_notifications_case ON in_app_notifications (case_id, created_at);
