-- gamification-service: the XP ledger (the source of truth of points and leaderboards),
-- users' totals, badges, visits, follows, and read models of users and events.

-- Users as auth's events tell them (login for following, city for the city boards).
CREATE TABLE users (
    user_id    text PRIMARY KEY,
    login      text NOT NULL DEFAULT '',
    full_name  text NOT NULL DEFAULT '',
    city       text NOT NULL DEFAULT '',
    as_of      timestamptz NOT NULL DEFAULT '-infinity'
);
CREATE INDEX users_login ON users (lower(login));

-- Events as event.published tells them (the highest version wins), with the district of
-- their place (services/gamification/data/districts.geojson).
CREATE TABLE events (
    slug      text PRIMARY KEY,
    category  text NOT NULL,
    city      text NOT NULL,
    district  text,
    version   bigint NOT NULL
);

-- One row per (rule, source fact): the unique key makes every award idempotent (a replay
-- of user.action from the beginning finds its rows and awards nothing twice). Capped
-- facts are recorded with xp 0. `day` is the fact's Moscow day (the daily caps).
CREATE TABLE xp_ledger (
    id           bigserial PRIMARY KEY,
    user_id      text NOT NULL,
    rule_id      text NOT NULL,
    source_id    text NOT NULL,
    kind         text NOT NULL,
    xp           integer NOT NULL CHECK (xp >= 0),
    occur_time   timestamptz NOT NULL,
    day          date NOT NULL,
    city         text NOT NULL DEFAULT '',
    -- The leaderboard projector's batch that added it to Redis (NULL: not yet).
    batch        bigint,
    UNIQUE (user_id, rule_id, source_id)
);
CREATE INDEX xp_ledger_caps ON xp_ledger (user_id, rule_id, day) WHERE xp > 0;
CREATE INDEX xp_ledger_unprojected ON xp_ledger (id) WHERE batch IS NULL;

-- Batches of ledger rows the projector claimed; done once they are in Redis. A claimed
-- batch left undone (a crash) is applied again under the same id, which Redis skips if
-- it already took it.
CREATE TABLE projector_batches (
    id    bigserial PRIMARY KEY,
    done  boolean NOT NULL DEFAULT false
);

CREATE TABLE xp_totals (
    user_id  text PRIMARY KEY,
    xp       bigint NOT NULL DEFAULT 0,
    level    integer NOT NULL DEFAULT 1
);

-- Facts per user and kind, capped ones included (badges count reviews, shares...).
CREATE TABLE fact_counts (
    user_id  text NOT NULL,
    kind     text NOT NULL,
    count    integer NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Distinct events a user was at (a check-in or a paid ticket).
CREATE TABLE visits (
    user_id     text NOT NULL,
    event_slug  text NOT NULL,
    category    text NOT NULL,
    city        text NOT NULL,
    district    text,
    visit_time  timestamptz NOT NULL,
    PRIMARY KEY (user_id, event_slug)
);

CREATE TABLE badges (
    user_id    text NOT NULL,
    badge_id   text NOT NULL,
    earn_time  timestamptz NOT NULL,
    PRIMARY KEY (user_id, badge_id)
);

CREATE TABLE follows (
    follower     text NOT NULL,
    followee     text NOT NULL,
    follow_time  timestamptz NOT NULL,
    PRIMARY KEY (follower, followee)
);
