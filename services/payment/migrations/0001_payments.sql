-- payment-service schema: payments (one per order), their refunds, and every provider
-- transaction applied to them (once each). No card data: nothing from a notification
-- beyond ids, amounts and statuses is kept.
CREATE TABLE payments (
    id                  uuid PRIMARY KEY,
    order_id            text NOT NULL UNIQUE,
    account_id          text NOT NULL,
    amount              bigint NOT NULL CHECK (amount > 0),
    refunded_amount     bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
    currency            text NOT NULL,
    description         text NOT NULL DEFAULT '',
    provider            text NOT NULL,
    status              text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled', 'refunded',
                                                        'partially_refunded')),
    provider_invoice_id text NOT NULL DEFAULT '',
    payment_url         text NOT NULL DEFAULT '',
    transaction_id      text NOT NULL DEFAULT '',
    failure_reason      text NOT NULL DEFAULT '',
    late                boolean NOT NULL DEFAULT false,
    create_time         timestamptz NOT NULL DEFAULT now(),
    update_time         timestamptz NOT NULL DEFAULT now()
);

-- A provider transaction (payment, declined attempt, refund) is applied once: the
-- primary key is what makes a repeated notification change nothing.
CREATE TABLE payment_transactions (
    provider       text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('pay', 'fail', 'refund')),
    transaction_id text NOT NULL,
    payment_id     uuid NOT NULL REFERENCES payments (id),
    amount         bigint NOT NULL,
    note           text NOT NULL DEFAULT '',  -- why it changed nothing, when it did not
    create_time    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, kind, transaction_id)
);
CREATE INDEX payment_transactions_payment ON payment_transactions (payment_id);

CREATE TABLE refunds (
    id              uuid PRIMARY KEY,
    payment_id      uuid NOT NULL REFERENCES payments (id),
    idempotency_key text NOT NULL,
    amount          bigint NOT NULL CHECK (amount > 0),
    reason          text NOT NULL DEFAULT '',
    status          text NOT NULL CHECK (status IN ('requested', 'succeeded', 'failed')),
    transaction_id  text NOT NULL DEFAULT '',
    failure         text NOT NULL DEFAULT '',
    create_time     timestamptz NOT NULL DEFAULT now(),
    update_time     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (payment_id, idempotency_key)
);
