-- event-service schema: events (one row per slug) and their sessions.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE events (
    id              bigserial PRIMARY KEY,
    slug            text NOT NULL UNIQUE,
    title           text NOT NULL,
    description     text NOT NULL DEFAULT '',
    category        text NOT NULL,
    tags            text[] NOT NULL DEFAULT '{}',
    city            text NOT NULL,
    place_name      text NOT NULL,
    place_address   text NOT NULL DEFAULT '',
    location        geography(Point, 4326) NOT NULL,
    price_min       bigint NOT NULL DEFAULT 0,
    price_max       bigint NOT NULL DEFAULT 0,
    currency        text NOT NULL DEFAULT 'RUB',
    is_free         boolean NOT NULL DEFAULT false,
    kids            boolean NOT NULL DEFAULT false,
    age_restriction integer NOT NULL DEFAULT 0,
    images          text[] NOT NULL DEFAULT '{}',
    ticket_provider text NOT NULL DEFAULT '',
    rating_average  double precision NOT NULL DEFAULT 0,
    rating_count    integer NOT NULL DEFAULT 0,
    version         bigint NOT NULL DEFAULT 1,
    create_time     timestamptz NOT NULL DEFAULT now(),
    update_time     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_category ON events (category);
CREATE INDEX events_city ON events (city);
CREATE INDEX events_location ON events USING gist (location);

CREATE TABLE event_sessions (
    event_id   bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    start_time timestamptz NOT NULL,
    end_time   timestamptz NOT NULL,
    CHECK (end_time > start_time)
);
CREATE INDEX event_sessions_event ON event_sessions (event_id);
CREATE INDEX event_sessions_end ON event_sessions (end_time, start_time);
