"""Sessions' stable ids, ticket tiers and seat maps in the catalog's domain rules
(services/event/domain/model.py: normalize), and the approximate availability words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.event.domain.model import (
    Event,
    Place,
    Seat,
    Session,
    TicketTier,
    availability,
    derived_session_id,
    normalize,
)
from services.runtime.errors import InvalidArgument

START = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)


def session(start: datetime = START, **kw: object) -> Session:
    return Session(start, start + timedelta(hours=2), **kw)  # type: ignore[arg-type]


def event(*sessions: Session, provider: str = "kulturago", **kw: object) -> Event:
    base = Event(slug="jazz", title="Джаз", description="", category="concert", tags=(), city="moscow",
                 place=Place("Клуб", "", 55.7, 37.6), sessions=sessions, price_min=0, price_max=0,
                 currency="RUB", is_free=False, kids=False, age_restriction=12, images=(), ticket_provider=provider)
    return replace(base, **kw)  # type: ignore[arg-type]


GA = (TicketTier("floor", "Танцпол", 150000, 300), TicketTier("vip", "VIP", 500050, 30))


def test_session_id_is_derived_from_start_in_utc() -> None:
    moscow_evening = datetime(2026, 12, 5, 23, 0, tzinfo=timezone(timedelta(hours=3)))
    assert derived_session_id(moscow_evening) == "20261205-2000"
    stored = normalize(event(session(tiers=GA)))
    assert stored.sessions[0].id == "20261205-1700"
    assert normalize(stored).sessions[0].id == "20261205-1700"  # publishing again keeps it


def test_a_given_session_id_is_kept() -> None:
    assert normalize(event(session(id="premiere", tiers=GA))).sessions[0].id == "premiere"


def test_two_sessions_in_one_minute_need_ids() -> None:
    with pytest.raises(InvalidArgument) as raised:
        normalize(event(session(tiers=GA), session(START + timedelta(seconds=30), tiers=GA)))
    assert raised.value.metadata["field"] == "sessions"
    ok = normalize(event(session(tiers=GA), session(START + timedelta(seconds=30), id="late", tiers=GA)))
    assert {s.id for s in ok.sessions} == {"20261205-1700", "late"}


def test_price_range_comes_from_the_tiers_when_not_given() -> None:
    stored = normalize(event(session(tiers=GA)))
    assert (stored.price_min, stored.price_max) == (1500, 5001)  # roubles: floor of min, ceiling of max


def test_kulturago_needs_tiers_on_every_session() -> None:
    with pytest.raises(InvalidArgument) as raised:
        normalize(event(session(tiers=GA), session(START + timedelta(days=1)), price_max=5000))
    assert raised.value.metadata["field"] == "sessions[1].tiers"


def test_tiers_need_a_provider_and_a_paid_event() -> None:
    with pytest.raises(InvalidArgument):
        normalize(event(session(tiers=GA), provider=""))
    with pytest.raises(InvalidArgument):
        normalize(event(session(tiers=GA), is_free=True))
    # Vendors' events may show their tiers too.
    assert normalize(event(session(tiers=GA), provider="kassir")).sessions[0].tiers == GA


def test_general_admission_tiers_need_a_capacity_and_unique_ids() -> None:
    with pytest.raises(InvalidArgument):
        normalize(event(session(tiers=(TicketTier("floor", "Танцпол", 100, 0),))))
    with pytest.raises(InvalidArgument):
        normalize(event(session(tiers=(GA[0], GA[0]))))


def test_seated_tiers_take_their_capacity_from_the_seat_map() -> None:
    tiers = (TicketTier("front", "Первые ряды", 400000, 0), TicketTier("hall", "Партер", 250000, 3))
    seats = (Seat("A-1", "front"), Seat("A-2", "front"), Seat("B-1", "hall"), Seat("B-2", "hall"), Seat("B-3", "hall"))
    stored = normalize(event(session(tiers=tiers, seats=seats)))
    assert [(t.id, t.capacity) for t in stored.sessions[0].tiers] == [("front", 2), ("hall", 3)]
    assert stored.sessions[0].seats == seats


@pytest.mark.parametrize("seats, tiers", [
    ((Seat("A-1", "front"), Seat("A-1", "front")), (TicketTier("front", "Первые", 100, 0),)),  # seat twice
    ((Seat("A-1", "balcony"),), (TicketTier("front", "Первые", 100, 0),)),  # unknown tier
    ((Seat("A-1", "front"),), (TicketTier("front", "Первые", 100, 0), TicketTier("hall", "Зал", 100, 0))),  # no seats
    ((Seat("A-1", "front"),), (TicketTier("front", "Первые", 100, 2),)),  # capacity disagrees
])
def test_inconsistent_seat_maps_are_refused(seats: tuple[Seat, ...], tiers: tuple[TicketTier, ...]) -> None:
    with pytest.raises(InvalidArgument) as raised:
        normalize(event(session(tiers=tiers, seats=seats)))
    assert raised.value.metadata["field"].startswith("sessions[0].")


@pytest.mark.parametrize("available, capacity, word", [
    (None, 100, "unknown"), (0, 100, "sold_out"), (10, 100, "few_left"), (11, 200, "few_left"),
    (21, 200, "available"), (3, 5, "few_left"), (50, 100, "available"),
])
def test_availability_words(available: int | None, capacity: int, word: str) -> None:
    assert availability(TicketTier("t", "T", 100, capacity, available)) == word
