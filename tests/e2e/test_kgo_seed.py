"""`kgo seed` publishes the demo city through event-service like a human admin would:
a real admin account, a real session, every check on the way (it once minted its own
token, which stopped working the day admin calls began to require an open session)."""

from __future__ import annotations

from datetime import date

import httpx

from kgo.demo_city import generate_events
from kgo.seed import seed


def test_seeding_goes_through_every_admin_check(http: httpx.Client) -> None:
    seed(events=2, pois=0)  # idempotent: upserts the first demo events by slug
    slugs = [e.slug for e in generate_events(2, start=date.today())]
    for slug in slugs:
        assert http.get(f"/api/v1/events/{slug}").status_code == 200
