-- Shadow-mode agreement (docs/scorer-v2.md): what people booked at a shadow case's bin after it
-- opened is read from the adjustment events Reckon received.
CREATE INDEX IF NOT EXISTS inventory_events_adjustments ON inventory_events (site, sku, occurred_at)
  WHERE type = 'adjustment';
