-- Finding the payments an unplanned failover lost, step 1 of 2 (docs/runbook.md, "The lost
-- writes may be recoverable"). Run on the cluster restored from the old writer's snapshot, as its
-- master user, with `since` early enough (the runbook says how: an earlier one costs nothing):
--   psql -X "host=<restored cluster endpoint> dbname=payments user=<master user>" \
--     -v since='<ISO 8601 time>' -f libs/payment-lambda/sql/lost-payments-export.sql > old-writer-payments.csv
-- Writes, as CSV on its standard output, each payment the old writer created since then, with
-- the Idempotency-Key and request hash that made it. Step 2 is lost-payments-report.sql, on the
-- new writer. Read-only: changes nothing.
\set ON_ERROR_STOP on
\set QUIET on
COPY (
  SELECT p.id, p.merchant_id, p.amount, p.currency, p.status, p.reference, p.created_at, k.idempotency_key, k.request_hash
  FROM payments p
  LEFT JOIN idempotency_keys k ON k.merchant_id = p.merchant_id AND k.payment_id = p.id
  WHERE p.created_at >= :'since'::timestamptz
  ORDER BY p.created_at, p.id
) TO STDOUT WITH (FORMAT csv, HEADER);
