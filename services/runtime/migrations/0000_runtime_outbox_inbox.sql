-- Shared by every service database: the transactional outbox (events written in the
-- same transaction as the state change) and the consumer inbox (processed ce_ids).
CREATE TABLE IF NOT EXISTS outbox (
    id           bigserial PRIMARY KEY,
    ce_id        uuid        NOT NULL UNIQUE,
    topic        text        NOT NULL,
    key          bytea       NOT NULL,
    payload      bytea       NOT NULL,
    headers      jsonb       NOT NULL,
    create_time  timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE TABLE IF NOT EXISTS inbox (
    consumer     text        NOT NULL,
    ce_id        text        NOT NULL,
    topic        text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, ce_id)
);
