-- notification-service: users' contacts (from auth's events), devices, preferences;
-- notifications, their deliveries (the delivery log), the push ledger and the inbox.

-- Where to write to a user, as user.signed_up / user.updated tell it (the newer wins).
CREATE TABLE contacts (
    user_id    text PRIMARY KEY,
    email      text NOT NULL,
    login      text NOT NULL DEFAULT '',
    full_name  text NOT NULL DEFAULT '',
    as_of      timestamptz NOT NULL DEFAULT '-infinity'
);

CREATE TABLE devices (
    token        text PRIMARY KEY,
    user_id      text NOT NULL,
    platform     text NOT NULL CHECK (platform IN ('fcm', 'apns')),
    locale       text NOT NULL DEFAULT '',
    create_time  timestamptz NOT NULL,
    update_time  timestamptz NOT NULL
);
CREATE INDEX devices_of_user ON devices (user_id, update_time DESC);

-- Only what the user changed; the rest is the default (domain/preferences.py).
CREATE TABLE preferences (
    user_id      text PRIMARY KEY,
    channels     jsonb NOT NULL DEFAULT '{}',
    kinds        jsonb NOT NULL DEFAULT '{}',
    quiet_start  time,
    quiet_end    time,
    time_zone    text NOT NULL DEFAULT '',
    locale       text NOT NULL DEFAULT '',
    update_time  timestamptz NOT NULL,
    CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);

-- One per source: an event's ce_id ("event:<ce_id>") or a Notify idempotency key
-- ("notify:<key>"), however often it arrives.
CREATE TABLE notifications (
    id              uuid PRIMARY KEY,
    source_key      text NOT NULL UNIQUE,
    request_hash    text NOT NULL DEFAULT '',
    template_id     text NOT NULL,
    kind            text NOT NULL,
    params          jsonb NOT NULL DEFAULT '{}',
    create_time     timestamptz NOT NULL,
    -- The Kafka record it came from (for <topic>.dlq when a delivery gives up).
    source_consumer text,
    source_topic    text,
    source_key_raw  bytea,
    source_payload  bytea,
    source_headers  jsonb,
    dead_lettered   boolean NOT NULL DEFAULT false
);

-- The delivery log: one row per notification x channel x address or device.
CREATE TABLE deliveries (
    id               uuid PRIMARY KEY,
    notification_id  uuid NOT NULL REFERENCES notifications ON DELETE CASCADE,
    channel          text NOT NULL CHECK (channel IN ('email', 'push')),
    user_id          text NOT NULL DEFAULT '',
    address          text NOT NULL DEFAULT '',   -- a raw address; '' = the user's current one
    device_token     text NOT NULL DEFAULT '',
    platform         text NOT NULL DEFAULT '',
    content          jsonb NOT NULL,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'deferred')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    -- Taken by a dispatcher for sending until then (NULL: nobody holds it).
    lease_until      timestamptz,
    last_error       text NOT NULL DEFAULT '',
    sent_to          text NOT NULL DEFAULT '',
    sent_at          timestamptz,
    create_time      timestamptz NOT NULL,
    update_time      timestamptz NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state IN ('pending', 'deferred');
CREATE INDEX deliveries_of_notification ON deliveries (notification_id);
CREATE INDEX deliveries_to_device ON deliveries (device_token) WHERE state IN ('pending', 'deferred') AND device_token <> '';
CREATE INDEX deliveries_retrying ON deliveries (channel, next_attempt_at)
    WHERE state = 'pending' AND attempts > 0 AND lease_until IS NULL;

-- Which notifications were pushed to a user and when: the rolling hourly push limit.
CREATE TABLE push_ledger (
    user_id          text NOT NULL,
    notification_id  uuid NOT NULL,
    at               timestamptz NOT NULL,
    PRIMARY KEY (user_id, notification_id)
);
CREATE INDEX push_ledger_recent ON push_ledger (user_id, at);

-- The in-app inbox: what was sent to a user.
CREATE TABLE user_inbox (
    notification_id  uuid NOT NULL REFERENCES notifications ON DELETE CASCADE,
    user_id          text NOT NULL,
    template_id      text NOT NULL,
    kind             text NOT NULL,
    title            text NOT NULL,
    body             text NOT NULL,
    data             jsonb NOT NULL DEFAULT '{}',
    create_time      timestamptz NOT NULL,
    read_time        timestamptz,
    PRIMARY KEY (notification_id, user_id)
);
CREATE INDEX user_inbox_of_user ON user_inbox (user_id, create_time DESC, notification_id DESC);
CREATE INDEX user_inbox_unread ON user_inbox (user_id) WHERE read_time IS NULL;
