-- Who found which review helpful (once per user); reviews.helpful_count counts them.
CREATE TABLE helpful_votes (
    review_id  uuid NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    user_id    text NOT NULL,
    vote_time  timestamptz NOT NULL,
    PRIMARY KEY (review_id, user_id)
);
