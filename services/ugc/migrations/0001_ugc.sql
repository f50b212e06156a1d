-- ugc-service: reviews, and what it learns from other services to decide who may write one.

CREATE TABLE reviews (
    id             uuid PRIMARY KEY,
    event_slug     text NOT NULL,
    user_id        text NOT NULL,
    rating         smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    text           text NOT NULL DEFAULT '',
    -- [{"name", "thumbnail", "width", "height"}]: content-addressed keys under reviews/
    photos         jsonb NOT NULL DEFAULT '[]',
    helpful_count  integer NOT NULL DEFAULT 0,
    hidden         boolean NOT NULL DEFAULT false,
    hide_reason    text NOT NULL DEFAULT '',
    version        bigint NOT NULL DEFAULT 1,
    create_time    timestamptz NOT NULL,
    update_time    timestamptz NOT NULL,
    UNIQUE (event_slug, user_id)  -- one review per user per event
);
CREATE INDEX reviews_newest ON reviews (event_slug, create_time DESC, id DESC) WHERE NOT hidden;
CREATE INDEX reviews_helpful ON reviews (event_slug, helpful_count DESC, create_time DESC, id DESC) WHERE NOT hidden;

-- From event.published: the events and when their sessions start (the newest version wins).
CREATE TABLE events (
    slug            text PRIMARY KEY,
    session_starts  timestamptz[] NOT NULL DEFAULT '{}',
    version         bigint NOT NULL
);

-- From ticket.paid: who holds a paid ticket for which event.
CREATE TABLE paid_tickets (
    user_id     text NOT NULL,
    event_slug  text NOT NULL,
    order_id    text NOT NULL,
    PRIMARY KEY (user_id, event_slug, order_id)
);

-- Photo uploads asked for (PresignReviewPhoto): a pending key is its uploader's only, once.
CREATE TABLE pending_uploads (
    object_key   text PRIMARY KEY,
    user_id      text NOT NULL,
    create_time  timestamptz NOT NULL
);
