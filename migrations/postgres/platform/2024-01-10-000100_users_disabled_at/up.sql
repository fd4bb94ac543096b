-- Accounts an operator disabled (`sensei user disable`): such an account cannot sign in.
-- Additive and nullable, so a platform that shares the table keeps reading and writing it
-- as before (NULL: the account may sign in).
ALTER TABLE users ADD COLUMN IF NOT EXISTS disabled_at TIMESTAMP;
