-- The WMS's quantity when a count task was counted: what the count is compared with. A recount
-- taken hours after its case opened would otherwise be compared with the opening quantity, and
-- the picks and receipts in between (which moved shelf and books alike) read as a variance.
-- NULL for results recorded before this column: the case falls back to the books it reads next.
ALTER TABLE ledger.count_tasks ADD COLUMN IF NOT EXISTS book_qty numeric;
