-- Finding the payments an unplanned failover lost, step 2 of 2 (docs/runbook.md, "The lost
-- writes may be recoverable"). Run on the new writer, as its master user, in the directory that
-- holds step 1's old-writer-payments.csv:
--   psql "host=<new writer endpoint> dbname=payments user=<master user>" --csv \
--     -f libs/payment-lambda/sql/lost-payments-report.sql > lost-payments.csv
-- One row per payment of that file the new writer does not have, with what the merchant's
-- retries made of it since the move (`outcome`, and `new_payment_id` when there is one):
--   re-created by a retry: the same Idempotency-Key and request made `new_payment_id` here; tell
--     the merchant the lost id is replaced by it;
--   not re-created: nothing here took its place; settle it with the merchant;
--   key reused for another request: the key made `new_payment_id` here from another body; settle
--     the lost one with the merchant.
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
       CASE WHEN made.id IS NULL THEN 'not re-created'
            WHEN k.request_hash = o.request_hash THEN 're-created by a retry'
            ELSE 'key reused for another request' END AS outcome,
       made.id AS new_payment_id
FROM old_writer_payments o
LEFT JOIN idempotency_keys k ON k.merchant_id = o.merchant_id AND k.idempotency_key = o.idempotency_key AND k.status = 'completed'
LEFT JOIN payments made ON made.id = k.payment_id
WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = o.id)
ORDER BY o.created_at, o.id;
