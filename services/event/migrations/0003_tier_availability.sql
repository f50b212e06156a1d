-- Tickets left per tier, as ticketing reports them on ticket.availability (coalesced,
-- every few seconds while a session sells). Read with the card (approximate: the card is
-- cached up to a minute); never used to decide a sale.
CREATE TABLE tier_availability (
    event_slug  text NOT NULL,
    session_id  text NOT NULL,
    tier_id     text NOT NULL,
    capacity    integer NOT NULL,
    available   integer NOT NULL,
    report_time timestamptz NOT NULL,
    PRIMARY KEY (event_slug, session_id, tier_id)
);
