-- The ratings of reviews, from ugc-service's ugc.created / ugc.deleted (the highest version
-- of a review wins; a deleted or hidden one stays as a tombstone so a late ugc.created of
-- an older version cannot bring it back). events.rating_* is their average and count.
CREATE TABLE review_ratings (
    review_id   text PRIMARY KEY,
    event_slug  text NOT NULL,
    rating      smallint NOT NULL,
    counted     boolean NOT NULL,
    version     bigint NOT NULL
);
CREATE INDEX review_ratings_of_event ON review_ratings (event_slug) WHERE counted;
