-- ticketing-service: sessions on sale (from event.published), their stock, orders and
-- tickets. The two rules of selling live here, whatever the interleaving:
--   * per tier, held + sold never exceeds capacity (CHECK on the counter row);
--   * a seat belongs to one live ticket at most (partial unique index).
CREATE TABLE sessions (
    event_slug    text NOT NULL,
    session_id    text NOT NULL,
    event_title   text NOT NULL,
    start_time    timestamptz NOT NULL,
    end_time      timestamptz NOT NULL,
    currency      text NOT NULL DEFAULT 'RUB',
    provider      text NOT NULL,
    seated        boolean NOT NULL DEFAULT false,
    on_sale       boolean NOT NULL DEFAULT true,
    event_version bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (event_slug, session_id)
);

CREATE TABLE tiers (
    event_slug   text NOT NULL,
    session_id   text NOT NULL,
    tier_id      text NOT NULL,
    name         text NOT NULL,
    price        bigint NOT NULL CHECK (price > 0),
    capacity     integer NOT NULL CHECK (capacity >= 0),
    held         integer NOT NULL DEFAULT 0 CHECK (held >= 0),
    sold         integer NOT NULL DEFAULT 0 CHECK (sold >= 0),
    -- Bumped with every change of held/sold; the availability feed sends what changed.
    changed_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tiers_no_oversell CHECK (held + sold <= capacity),
    PRIMARY KEY (event_slug, session_id, tier_id),
    FOREIGN KEY (event_slug, session_id) REFERENCES sessions ON DELETE CASCADE
);
CREATE INDEX tiers_changed ON tiers (changed_at);

CREATE TABLE seats (
    event_slug text NOT NULL,
    session_id text NOT NULL,
    seat_id    text NOT NULL,
    tier_id    text NOT NULL,
    PRIMARY KEY (event_slug, session_id, seat_id),
    FOREIGN KEY (event_slug, session_id) REFERENCES sessions ON DELETE CASCADE
);

CREATE TABLE orders (
    id               uuid PRIMARY KEY,
    user_id          text NOT NULL,
    event_slug       text NOT NULL,
    session_id       text NOT NULL,
    status           text NOT NULL CHECK (status IN ('PENDING', 'PAID', 'CANCELLED', 'EXPIRED', 'REFUNDED')),
    amount           bigint NOT NULL,
    currency         text NOT NULL,
    hold_expire_time timestamptz NOT NULL,
    payment_id       text NOT NULL DEFAULT '',
    payment_url      text NOT NULL DEFAULT '',
    refunded_amount  bigint NOT NULL DEFAULT 0,
    status_reason    text NOT NULL DEFAULT '',
    create_time      timestamptz NOT NULL,
    update_time      timestamptz NOT NULL,
    paid_time        timestamptz,
    FOREIGN KEY (event_slug, session_id) REFERENCES sessions
);
CREATE INDEX orders_of_user ON orders (user_id, create_time DESC, id DESC);
CREATE INDEX orders_holds ON orders (hold_expire_time) WHERE status = 'PENDING';

CREATE TABLE tickets (
    id           uuid PRIMARY KEY,
    order_id     uuid NOT NULL REFERENCES orders ON DELETE CASCADE,
    position     integer NOT NULL,
    event_slug   text NOT NULL,
    session_id   text NOT NULL,
    tier_id      text NOT NULL,
    tier_name    text NOT NULL,
    price        bigint NOT NULL,
    seat_id      text,
    status       text NOT NULL CHECK (status IN ('HELD', 'VALID', 'USED', 'VOID')),
    secret       text NOT NULL DEFAULT '',
    checkin_time timestamptz
);
CREATE INDEX tickets_of_order ON tickets (order_id, position);
CREATE UNIQUE INDEX tickets_one_live_per_seat ON tickets (event_slug, session_id, seat_id)
    WHERE seat_id IS NOT NULL AND status IN ('HELD', 'VALID', 'USED');

-- Idempotency-Key of purchases, kept 24 hours: the first call's reply, by user and key.
CREATE TABLE idempotency_keys (
    user_id      text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    reply        bytea,
    create_time  timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (create_time);

-- Payment news already applied (the RPC and the payment.* topics bring the same news).
CREATE TABLE payment_results (
    kind        text NOT NULL,
    reference   text NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, reference)
);

-- Refunds we owe and send until payment-service takes them (a late payment whose
-- seats were gone): a command outbox, written with the order's change.
CREATE TABLE refund_requests (
    idempotency_key text PRIMARY KEY,
    order_id        uuid NOT NULL,
    amount          bigint NOT NULL,
    reason          text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt    timestamptz NOT NULL DEFAULT now(),
    done_time       timestamptz,
    last_error      text NOT NULL DEFAULT ''
);
CREATE INDEX refund_requests_due ON refund_requests (next_attempt) WHERE done_time IS NULL;
