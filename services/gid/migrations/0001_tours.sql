-- gid-service schema: tours (one row per id; stops and their narrations travel with the
-- tour as one document) and the offline bundles built for tour versions.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE tours (
    id               text PRIMARY KEY,
    city             text NOT NULL,
    title            text NOT NULL,
    description      text NOT NULL DEFAULT '',
    languages        text[] NOT NULL,
    stops            jsonb NOT NULL,
    stop_count       integer NOT NULL,
    start            geography(Point, 4326) NOT NULL,
    -- NULL: fewer than two points (the route is then the single stop).
    route            geometry(LineString, 4326),
    distance_m       double precision NOT NULL,
    walking_seconds  integer NOT NULL,
    duration_seconds integer NOT NULL,
    route_method     text NOT NULL,
    version          bigint NOT NULL DEFAULT 1,
    create_time      timestamptz NOT NULL DEFAULT now(),
    update_time      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tours_city ON tours (city);
CREATE INDEX tours_languages ON tours USING gin (languages);
CREATE INDEX tours_start ON tours USING gist (start);
CREATE INDEX tours_newest ON tours (create_time DESC, id DESC);

CREATE TABLE tour_bundles (
    tour_id     text NOT NULL REFERENCES tours (id) ON DELETE CASCADE,
    version     bigint NOT NULL,
    engine      text NOT NULL,
    object_key  text NOT NULL,
    etag        text NOT NULL,
    size_bytes  bigint NOT NULL,
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tour_id, version, engine)
);
