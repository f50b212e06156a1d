-- depends: 0000_runtime_outbox_inbox
-- Retention sweeps (services/runtime/messaging/retention.py) find old rows by time.
CREATE INDEX IF NOT EXISTS outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS inbox_consumer_processed_at ON inbox (consumer, processed_at);
