-- Payments of vendor-backed orders whose confirm at the vendor got no answer, and the
-- vendor could not say either (its status): the payment is kept here and a worker asks
-- the vendor again until it says (sold: the order is PAID; lost: REFUNDED). Never guessed.
CREATE TABLE vendor_confirmations (
    order_id     uuid PRIMARY KEY,
    result       jsonb NOT NULL,  -- the payment result to apply once the vendor has answered
    attempts     integer NOT NULL DEFAULT 0,
    next_attempt timestamptz NOT NULL DEFAULT now(),
    last_error   text NOT NULL DEFAULT '',
    create_time  timestamptz NOT NULL DEFAULT now(),
    done_time    timestamptz
);
CREATE INDEX vendor_confirmations_due ON vendor_confirmations (next_attempt) WHERE done_time IS NULL;
