-- One row per (merchant, Idempotency-Key), written in the same transaction as the payment.
-- A row is only ever committed as 'completed' by the API; 'in_progress' exists for flows that
-- commit the key before the work. Keys are kept at least 24 hours.
-- payment_id has no foreign key on purpose: its check would lock `payments` on every key claim,
-- and the claim's short lock wait (answered 409) must wait on nothing but the same key. The
-- transaction that writes both rows keeps them consistent.
CREATE TABLE idempotency_keys (
  merchant_id     text         NOT NULL,
  idempotency_key varchar(255) NOT NULL,
  request_hash    char(64)     NOT NULL,
  status          text         NOT NULL CHECK (status IN ('in_progress', 'completed')),
  response_status smallint,
  response_body   jsonb,
  payment_id      uuid,
  created_at      timestamptz  NOT NULL DEFAULT now(),
  expires_at      timestamptz  NOT NULL,
  PRIMARY KEY (merchant_id, idempotency_key),
  CHECK (expires_at >= created_at + interval '24 hours'),
  CHECK (status = 'in_progress' OR (response_status IS NOT NULL AND response_body IS NOT NULL))
);

-- The expiry cleanup deletes by expires_at.
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);
