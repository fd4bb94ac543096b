-- Every session in booking order, whatever its state: the keyset pages of lists over all or
-- closed sessions (the CSV export, the history) start from a range on this index instead of
-- sorting the whole table for each page. Open-session lists keep the smaller partial index
-- `idx_scheduled_sessions_pending`.
CREATE INDEX IF NOT EXISTS idx_scheduled_sessions_booked
    ON scheduled_sessions (scheduled_at, id);
