-- The audit trail refuses replacement too, not only UPDATE and DELETE (migration
-- 2024-01-04-000000_session_workflow). `INSERT OR REPLACE`, `REPLACE INTO` and an upsert's
-- conflict path remove the old row without firing the delete trigger (SQLite fires delete
-- triggers for REPLACE only under `PRAGMA recursive_triggers`, which no connection of the
-- platform sets), so the insert itself must refuse an id that is already taken.
CREATE TRIGGER IF NOT EXISTS trg_scheduled_session_events_no_replace
BEFORE INSERT ON scheduled_session_events
WHEN EXISTS (SELECT 1 FROM scheduled_session_events WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'scheduled_session_events is append-only: event ids cannot be replaced');
END;

-- In a BEFORE INSERT trigger an id that SQLite is about to assign reads as -1, so a row
-- stored under -1 would make the trigger above refuse every ordinary insert. Ids are
-- therefore kept positive (AUTOINCREMENT assigns only those; this refuses explicit ones).
CREATE TRIGGER IF NOT EXISTS trg_scheduled_session_events_positive_id
AFTER INSERT ON scheduled_session_events
WHEN NEW.id < 1
BEGIN
    SELECT RAISE(ABORT, 'scheduled_session_events ids are positive');
END;
