-- PostgreSQL books in one statement (a function) and counts sessions in 16 slots (see the
-- PostgreSQL migration of this name). SQLite runs in the process, where a statement costs no
-- round trip, and has one writer at a time, so one counter row never queues anyone: nothing
-- to do. The migration exists so that both backends have the same history.
SELECT 1;
