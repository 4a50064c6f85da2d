-- Payments, the system of record. Ids come from gen_random_uuid(), not a sequence, so that
-- Aurora write forwarding stays possible. Amounts are integer minor units of the currency.
CREATE TABLE payments (
  id          uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
  merchant_id text         NOT NULL CHECK (char_length(merchant_id) BETWEEN 1 AND 64),
  amount      bigint       NOT NULL CHECK (amount > 0),
  currency    char(3)      NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status      text         NOT NULL CHECK (status IN ('created', 'succeeded', 'failed', 'cancelled')),
  reference   varchar(64),
  description varchar(255),
  created_at  timestamptz  NOT NULL DEFAULT now()
);
