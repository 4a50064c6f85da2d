-- The role /health connects as: it updates the heartbeat row (004) and reads nothing. /health is
-- the API's one anonymous route, so its function holds credentials that reach no payment and no
-- idempotency key. Created without LOGIN: the migrate function gives it its password from the
-- health credentials secret, and its grants again on every run (db/function-roles.ts), which also
-- takes the heartbeat's privileges away from payments_app, which /health used before.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'payments_health') THEN
    CREATE ROLE payments_health NOLOGIN;
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO payments_health;
-- `UPDATE health_heartbeat SET beat_at = now()` reads no column: UPDATE alone.
GRANT UPDATE ON health_heartbeat TO payments_health;
