-- Back to one counter row: the slots are folded into row 1.
LOCK TABLE scheduled_session_counts IN EXCLUSIVE MODE;
UPDATE scheduled_session_counts
SET pending_count = totals.pending, completed_count = totals.completed,
    cancelled_count = totals.cancelled
FROM (SELECT SUM(pending_count) AS pending, SUM(completed_count) AS completed,
             SUM(cancelled_count) AS cancelled
      FROM scheduled_session_counts) AS totals
WHERE id = 1;
DELETE FROM scheduled_session_counts WHERE id <> 1;
ALTER TABLE scheduled_session_counts DROP CONSTRAINT IF EXISTS scheduled_session_counts_slot;
ALTER TABLE scheduled_session_counts ADD CONSTRAINT scheduled_session_counts_id_check
    CHECK (id = 1);

CREATE OR REPLACE FUNCTION scheduled_sessions_maintain_counts() RETURNS trigger AS $$
DECLARE
    pending_delta BIGINT := 0;
    completed_delta BIGINT := 0;
    cancelled_delta BIGINT := 0;
BEGIN
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        IF NEW.session_completed_at IS NOT NULL THEN
            completed_delta := completed_delta + 1;
        ELSIF NEW.cancelled_at IS NOT NULL THEN
            cancelled_delta := cancelled_delta + 1;
        ELSE
            pending_delta := pending_delta + 1;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        IF OLD.session_completed_at IS NOT NULL THEN
            completed_delta := completed_delta - 1;
        ELSIF OLD.cancelled_at IS NOT NULL THEN
            cancelled_delta := cancelled_delta - 1;
        ELSE
            pending_delta := pending_delta - 1;
        END IF;
    END IF;
    IF pending_delta <> 0 OR completed_delta <> 0 OR cancelled_delta <> 0 THEN
        UPDATE scheduled_session_counts
        SET pending_count = pending_count + pending_delta,
            completed_count = completed_count + completed_delta,
            cancelled_count = cancelled_count + cancelled_delta
        WHERE id = 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP FUNCTION IF EXISTS sensei_book_session(BIGINT, INTEGER, INTEGER, VARCHAR, INTEGER, INTEGER,
    INTEGER, TIMESTAMP, TIMESTAMP, BIGINT, VARCHAR, VARCHAR, VARCHAR, TEXT);
