-- The role the payment functions connect as: rows of their two tables, nothing else. Not the
-- master user, who owns the schema and could drop it, alter roles or read anything: a flaw in
-- the request path reaches no further than these grants. Created without LOGIN: the migrate
-- function gives it its password from the app credentials secret (never written in SQL here).
-- Roles are cluster-wide, so a second database of the same cluster finds it already there.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'payments_app') THEN
    CREATE ROLE payments_app NOLOGIN;
  END IF;
END
$$;

-- PostgreSQL 15+ already keeps PUBLIC from creating in the public schema; older versions do not.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO payments_app;
-- The API inserts payments and reads them; it claims, completes, reads and deletes (expired)
-- idempotency keys; the cleanup deletes expired keys. No TRUNCATE, REFERENCES or TRIGGER.
GRANT SELECT, INSERT ON payments TO payments_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO payments_app;
