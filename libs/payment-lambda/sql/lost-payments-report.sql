-- Finding the payments an unplanned failover lost, step 2 of 2 (docs/runbook.md, "The lost
-- writes may be recoverable"). Run on the new writer, as its master user, in the directory that
-- holds step 1's old-writer-payments.csv:
--   psql -X "host=<new writer endpoint> dbname=payments user=<master user>" --csv \
--     -f libs/payment-lambda/sql/lost-payments-report.sql > lost-payments.csv
-- One row per payment of that file the new writer does not have, with what was made of it since
-- the move (`outcome`, and the payments it names in `new_payment_ids`):
--   re-created by a retry: the same Idempotency-Key and request made the payment named here;
--     tell the merchant the lost id is replaced by it;
--   key reused for another request: the key made the payment named here from another body;
--     settle the lost one with the merchant;
--   possibly re-created: no key row says so (a key's row is deleted 24 h after its request),
--     but the payments named here have the lost one's merchant, amount, currency and reference
--     and came after it; check with the merchant;
--   not re-created: nothing here took its place; settle it with the merchant.
-- Reads the payments tables only; the old writer's rows go to a temporary table of this session.
\set ON_ERROR_STOP on
\set QUIET on
CREATE TEMPORARY TABLE old_writer_payments (
  id uuid PRIMARY KEY, merchant_id text NOT NULL, amount bigint NOT NULL, currency char(3) NOT NULL, status text NOT NULL,
  reference varchar(64), created_at timestamptz NOT NULL, idempotency_key varchar(255), request_hash char(64)
);
\copy old_writer_payments FROM 'old-writer-payments.csv' WITH (FORMAT csv, HEADER)
\set QUIET off
SELECT o.id AS lost_payment_id, o.merchant_id, o.amount, o.currency, o.reference, o.created_at, o.idempotency_key,
       CASE WHEN made.id IS NOT NULL AND k.request_hash = o.request_hash THEN 're-created by a retry'
            WHEN made.id IS NOT NULL THEN 'key reused for another request'
            WHEN alike.ids IS NOT NULL THEN 'possibly re-created'
            ELSE 'not re-created' END AS outcome,
       coalesce(made.id::text, alike.ids) AS new_payment_ids
FROM old_writer_payments o
-- Only a key row newer than the lost payment: an older one is the key's use before it (a key
-- may be used again once its row has expired), and names a payment that replaced nothing.
LEFT JOIN idempotency_keys k
  ON k.merchant_id = o.merchant_id AND k.idempotency_key = o.idempotency_key AND k.status = 'completed' AND k.created_at > o.created_at
LEFT JOIN payments made ON made.id = k.payment_id
LEFT JOIN LATERAL (
  SELECT string_agg(p.id::text, ' ' ORDER BY p.created_at, p.id) AS ids
  FROM payments p
  WHERE p.merchant_id = o.merchant_id AND p.amount = o.amount AND p.currency = o.currency
    AND p.reference IS NOT DISTINCT FROM o.reference AND p.created_at > o.created_at
) AS alike ON true
WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = o.id)
ORDER BY o.created_at, o.id;
