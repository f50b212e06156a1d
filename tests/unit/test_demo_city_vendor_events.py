"""The demo city's vendor-backed events (kgo/demo_city/sellable.py: vendor_events): the
ids the vendors' sandboxes seed their inventory by are the catalog's session and tier
ids, do not depend on the seeding day, and pass the catalog's own rules."""

from __future__ import annotations

import re
from datetime import date

from kgo.demo_city import KASSIR_SLUG, TICKETSCLOUD_SLUG, vendor_events

SESSION_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")  # Event.sessions.id in the contract


def test_one_event_per_vendor_with_ids_that_do_not_move_with_the_day() -> None:
    today, later = vendor_events(date(2026, 11, 29)), vendor_events(date(2027, 3, 8))
    assert [(e.slug, e.ticket_provider) for e in today] == [(TICKETSCLOUD_SLUG, "ticketscloud"),
                                                             (KASSIR_SLUG, "kassir")]
    for a, b in zip(today, later, strict=True):
        assert [s.id for s in a.sessions] == [s.id for s in b.sessions]
        assert [t.id for t in a.sessions[0].tiers] == [t.id for t in b.sessions[0].tiers]
        assert a.sessions[0].start != b.sessions[0].start


def test_ticketscloud_ids_are_object_ids_and_kassir_seats_fill_their_tiers() -> None:
    ticketscloud, kassir = vendor_events(date(2026, 11, 29))
    for event in (ticketscloud, kassir):
        ids = [s.id for s in event.sessions]
        assert len(set(ids)) == len(ids) and all(SESSION_ID.match(i) for i in ids)
        assert event.price_min * 100 == min(t.price for t in event.sessions[0].tiers)
    assert all(re.fullmatch(r"[0-9a-f]{24}", x) for s in ticketscloud.sessions
               for x in (s.id, *(t.id for t in s.tiers)))
    assert not ticketscloud.sessions[0].seats
    for session in kassir.sessions:
        for tier in session.tiers:
            assert tier.capacity == sum(1 for _, t in session.seats if t == tier.id)
