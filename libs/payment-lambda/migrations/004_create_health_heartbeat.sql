-- The primary's /health proves that its writer commits by updating this row. Its commit waits
-- where a payment's would (Aurora's rds.global_db_rpo while the secondary lags, storage), where the
-- read-only flags alone still look writable. One row, updated in place: the table does not grow.
CREATE TABLE IF NOT EXISTS health_heartbeat (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  beat_at timestamptz NOT NULL
);
INSERT INTO health_heartbeat (beat_at) VALUES (now()) ON CONFLICT (only_row) DO NOTHING;
-- UPDATE reads the row it changes: SELECT too. No INSERT or DELETE: the one row stays. (The
-- migrate function grants the app role exactly its privileges again after every run, this one
-- included: db/app-role.ts.)
GRANT SELECT, UPDATE ON health_heartbeat TO payments_app;
