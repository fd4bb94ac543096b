-- The PostgreSQL write path: bookings in one statement, and the session counter in slots.

-- A booking as one statement: the student's advisory lock, the dedup check, the open-session
-- count, the insert and its audit event, in one round trip instead of seven (BEGIN, lock,
-- check, count, insert, event, COMMIT). The rules' values (the dedup window's start, the
-- open-session limit, the event's fields) come from the caller; this only makes the
-- check-and-insert atomic. A VOLATILE function's statements each take a fresh snapshot, so
-- the check after the lock sees every booking committed before the lock was granted.
CREATE OR REPLACE FUNCTION sensei_book_session(
    p_lock_key BIGINT,
    p_submission_id INTEGER,
    p_user_id INTEGER,
    p_reason VARCHAR,
    p_goals_passed INTEGER,
    p_goals_engaged INTEGER,
    p_total_goals INTEGER,
    p_scheduled_at TIMESTAMP,
    p_window_start TIMESTAMP,
    p_max_open BIGINT,
    p_event_kind VARCHAR,
    p_event_from VARCHAR,
    p_event_to VARCHAR,
    p_event_detail TEXT,
    OUT outcome TEXT,
    OUT open_count BIGINT,
    OUT booked_id INTEGER
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock_key);
    SELECT s.id INTO booked_id
    FROM scheduled_sessions s
    WHERE s.user_id = p_user_id AND s.submission_id = p_submission_id
      AND s.scheduled_at > p_window_start AND s.cancelled_at IS NULL
    ORDER BY s.scheduled_at DESC, s.id DESC
    LIMIT 1;
    IF FOUND THEN
        outcome := 'existing';
        RETURN;
    END IF;
    SELECT COUNT(*) INTO open_count
    FROM scheduled_sessions s
    WHERE s.user_id = p_user_id AND s.session_completed_at IS NULL AND s.cancelled_at IS NULL;
    IF open_count >= p_max_open THEN
        outcome := 'too_many';
        RETURN;
    END IF;
    INSERT INTO scheduled_sessions (submission_id, user_id, eligibility_reason, goals_passed,
                                    goals_engaged, total_goals, scheduled_at)
    VALUES (p_submission_id, p_user_id, p_reason, p_goals_passed, p_goals_engaged,
            p_total_goals, p_scheduled_at)
    RETURNING id INTO booked_id;
    INSERT INTO scheduled_session_events (session_id, occurred_at, actor_id, kind, from_state,
                                          to_state, detail)
    VALUES (booked_id, p_scheduled_at, p_user_id, p_event_kind, p_event_from, p_event_to,
            p_event_detail);
    outcome := 'created';
END;
$$;

-- The counter in 16 slots instead of one row. Every insert, completion and cancellation
-- updated the one row, so their transactions queued on its lock from the trigger to their
-- commit (a quarter of booking throughput on a 2-core machine); a change now updates the
-- slot of its session's id, so concurrent changes of different sessions rarely meet. The
-- totals are the sums over the slots (16 rows, read together).
ALTER TABLE scheduled_session_counts DROP CONSTRAINT IF EXISTS scheduled_session_counts_id_check;
ALTER TABLE scheduled_session_counts ADD CONSTRAINT scheduled_session_counts_slot
    CHECK (id BETWEEN 1 AND 16);
INSERT INTO scheduled_session_counts (id, pending_count, completed_count, cancelled_count)
SELECT slot, 0, 0, 0 FROM generate_series(2, 16) AS slot
ON CONFLICT (id) DO NOTHING;

CREATE OR REPLACE FUNCTION scheduled_sessions_maintain_counts() RETURNS trigger AS $$
DECLARE
    pending_delta BIGINT := 0;
    completed_delta BIGINT := 0;
    cancelled_delta BIGINT := 0;
    session_id INTEGER;
BEGIN
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        session_id := NEW.id;
        IF NEW.session_completed_at IS NOT NULL THEN
            completed_delta := completed_delta + 1;
        ELSIF NEW.cancelled_at IS NOT NULL THEN
            cancelled_delta := cancelled_delta + 1;
        ELSE
            pending_delta := pending_delta + 1;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        session_id := OLD.id;
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
        WHERE id = 1 + (session_id % 16);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
