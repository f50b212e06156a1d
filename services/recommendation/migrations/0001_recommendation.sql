-- recommendation-service store: its own copy of the catalog (from event.published and
-- ticket.availability), the interaction log (from user.action and ticket.paid),
-- favourites, and the registry of trained models (their bytes live in S3).

-- The catalog as recommendations need it; the newest version of each event wins.
CREATE TABLE catalog_events (
    slug            text PRIMARY KEY,
    version         bigint  NOT NULL,
    title           text    NOT NULL,
    description     text    NOT NULL DEFAULT '',
    category        text    NOT NULL,
    tags            text[]  NOT NULL DEFAULT '{}',
    city            text    NOT NULL,
    place_name      text    NOT NULL DEFAULT '',
    lat             double precision,
    lon             double precision,
    -- Session starts and ends (same order), sorted by start.
    session_starts  timestamptz[] NOT NULL,
    session_ends    timestamptz[] NOT NULL,
    session_ids     text[]  NOT NULL DEFAULT '{}',
    is_free         boolean NOT NULL DEFAULT false,
    kids            boolean NOT NULL DEFAULT false,
    price_min       integer NOT NULL DEFAULT 0,
    image           text    NOT NULL DEFAULT '',
    last_end        timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX catalog_events_last_end ON catalog_events (last_end);

-- Tickets left per session (sum over its tiers), as ticketing last reported.
CREATE TABLE session_availability (
    event_slug  text NOT NULL,
    session_id  text NOT NULL,
    available   integer NOT NULL,
    report_time timestamptz NOT NULL,
    PRIMARY KEY (event_slug, session_id)
);

-- The interaction log: one row per action, whoever reported it. `weight` is the
-- strength of the signal by kind (a purchase says more than a view).
CREATE TABLE interactions (
    user_id     text NOT NULL,
    action_id   text NOT NULL,
    event_slug  text NOT NULL,
    kind        smallint NOT NULL,
    weight      real NOT NULL,
    time        timestamptz NOT NULL,
    receive_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, action_id)
);
CREATE INDEX interactions_time ON interactions (time);
CREATE INDEX interactions_user_time ON interactions (user_id, time DESC);

CREATE TABLE favourites (
    user_id     text NOT NULL,
    event_slug  text NOT NULL,
    create_time timestamptz NOT NULL,
    PRIMARY KEY (user_id, event_slug)
);
CREATE INDEX favourites_user_time ON favourites (user_id, create_time DESC, event_slug DESC);

-- Users' stated city and interests (from user.updated).
CREATE TABLE user_profiles (
    user_id     text PRIMARY KEY,
    city        text NOT NULL DEFAULT '',
    interests   text[] NOT NULL DEFAULT '{}',
    update_time timestamptz NOT NULL
);

-- Trained models. Exactly one row is `serving`: the one every replica loads.
CREATE TABLE models (
    version      text PRIMARY KEY,
    create_time  timestamptz NOT NULL DEFAULT now(),
    object_key   text NOT NULL,
    metrics      jsonb NOT NULL DEFAULT '{}',
    interactions bigint NOT NULL DEFAULT 0,
    train_seconds double precision NOT NULL DEFAULT 0,
    status       text NOT NULL,  -- serving | retired | refused
    reason       text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX models_one_serving ON models ((true)) WHERE status = 'serving';
