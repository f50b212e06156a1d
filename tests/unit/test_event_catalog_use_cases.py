"""event-service's catalog use cases (services/event/service_layer/catalog.py) on
in-memory fakes of their ports and a fixed clock: publishing (upsert, versions, events
staged in the unit of work), page tokens bound to their filters and day, the cache key
turning at Moscow midnight."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from event_fakes import CommitFailed, FakeCatalogCache, FakeClock, FakeDatabase, FakeUnitOfWork

from services.event.domain.events import EventPublished
from services.event.domain.listing import ListFilters
from services.event.domain.model import Event, Page, Place, Session, TicketTier
from services.event.service_layer.catalog import Catalog
from services.runtime.errors import InvalidArgument, NotFound

FRIDAY_NIGHT = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # Saturday 02:30 in Moscow
BEFORE_MOSCOW_MIDNIGHT = datetime(2026, 12, 1, 20, 59, tzinfo=UTC)  # Tuesday 23:59 in Moscow
AFTER_MOSCOW_MIDNIGHT = datetime(2026, 12, 1, 21, 1, tzinfo=UTC)  # Wednesday 00:01, same UTC day


class Fixture:
    def __init__(self, now: datetime = FRIDAY_NIGHT) -> None:
        self.clock = FakeClock(now)
        self.db = FakeDatabase(self.clock)
        self.cache = FakeCatalogCache()
        self.catalog = Catalog(lambda: FakeUnitOfWork(self.db), self.cache, self.clock)

    async def page(self, filters: ListFilters, token: str = "") -> dict[str, object]:
        # The request as sent: what the entrypoint hands over is its serialized bytes.
        request = f"{filters}|{token}".encode()
        rendered = await self.catalog.list_page(request, lambda: filters, token, render_page)
        return json.loads(rendered)  # type: ignore[no-any-return]


def render_page(page: Page, token: str) -> bytes:
    return json.dumps({"slugs": [e.slug for e in page.events], "token": token, "total": page.total}).encode()


def render_card(event: Event) -> bytes:
    return f"{event.slug}@{event.version}".encode()


def make_event(slug: str, *starts: datetime, **values: object) -> Event:
    event = Event(
        slug=slug, title=" Джаз на крыше ", description="", category="concert", tags=("Джаз", "джаз ", ""),
        city="moscow", place=Place("Крыша", "ул. Тестовая, 1", 55.75, 37.62),
        sessions=tuple(Session(s, s + timedelta(hours=2)) for s in (starts or (FRIDAY_NIGHT + timedelta(days=1),))),
        price_min=500, price_max=1500, currency="", is_free=False, kids=False, age_restriction=12, images=(),
        ticket_provider="",
    )
    return replace(event, **values)  # type: ignore[arg-type]


@pytest.fixture
def f() -> Fixture:
    return Fixture()


# Publishing


async def test_publish_stores_the_normalized_event_and_stages_event_published(f: Fixture) -> None:
    later, sooner = FRIDAY_NIGHT + timedelta(days=3), FRIDAY_NIGHT + timedelta(days=1)
    stored = await f.catalog.publish(make_event("jazz", later, sooner))
    assert stored.version == 1 and stored.create_time == FRIDAY_NIGHT
    assert (stored.title, stored.tags, stored.currency) == ("Джаз на крыше", ("джаз",), "RUB")
    assert [s.start for s in stored.sessions] == [sooner, later]
    assert f.db.published == [EventPublished(stored)]
    assert f.cache.invalidations == 1


async def test_publishing_the_same_slug_again_replaces_it_with_the_next_version(f: Fixture) -> None:
    first = await f.catalog.publish(make_event("jazz"))
    f.clock.now += timedelta(hours=1)
    second = await f.catalog.publish(make_event("jazz", title="Джаз в саду", city="spb"))
    assert (second.version, second.title, second.city) == (2, "Джаз в саду", "spb")
    assert second.create_time == first.create_time and second.update_time == f.clock.now
    # Consumers see both, in order, each with the version that was stored.
    assert [(p.event.slug, p.event.version, p.event.city) for p in f.db.published] == [
        ("jazz", 1, "moscow"), ("jazz", 2, "spb")]


_TIER = TicketTier("parter", "Партер", 250000, 100)


@pytest.mark.parametrize(("values", "field"), [
    # (Pricing and age rules between fields are the contract's CEL rules, checked before
    # any use case: tests/unit/test_contract_event_rules.py.)
    ({"sessions": (Session(FRIDAY_NIGHT, FRIDAY_NIGHT + timedelta(hours=2), tiers=(_TIER,)),)},
     "sessions[0].tiers"),  # tiers without a ticket provider
    ({"ticket_provider": "kulturago"}, "sessions[0].tiers"),  # our own sales without tiers
    ({"ticket_provider": "kulturago", "sessions": (
        Session(FRIDAY_NIGHT, FRIDAY_NIGHT + timedelta(hours=2), tiers=(_TIER, _TIER)),)}, "sessions[0].tiers"),
])
async def test_an_invalid_event_changes_and_publishes_nothing(
        f: Fixture, values: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        await f.catalog.publish(make_event("jazz", **values))
    assert [v.field for v in exc.value.violations] == [field]
    assert (f.db.events, f.db.published, f.cache.invalidations) == ({}, [], 0)


async def test_events_of_a_transaction_that_does_not_commit_are_never_published(f: Fixture) -> None:
    first = await f.catalog.publish(make_event("jazz"))
    f.db.fail_next_commit = True
    with pytest.raises(CommitFailed):
        await f.catalog.publish(make_event("jazz", title="Другое"))
    assert f.db.events == {"jazz": first}
    assert f.db.published == [EventPublished(first)] and f.cache.invalidations == 1


# Cards


async def test_cards_are_cached_until_the_next_publish(f: Fixture) -> None:
    with pytest.raises(NotFound) as exc:
        await f.catalog.get("jazz", render_card)
    assert exc.value.reason == "EVENT_NOT_FOUND"
    await f.catalog.publish(make_event("jazz"))
    assert await f.catalog.get("jazz", render_card) == b"jazz@1"
    opened = f.db.units_opened
    assert await f.catalog.get("jazz", render_card) == b"jazz@1"
    assert f.db.units_opened == opened  # served from the cache
    await f.catalog.publish(make_event("jazz"))
    assert await f.catalog.get("jazz", render_card) == b"jazz@2"


class Views:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, datetime]] = []

    def viewed(self, user_id: str, slug: str, at: datetime) -> None:
        self.seen.append((user_id, slug, at))


async def test_a_known_viewer_opening_a_card_is_a_view_also_from_the_cache(f: Fixture) -> None:
    views = Views()
    catalog = Catalog(lambda: FakeUnitOfWork(f.db), f.cache, f.clock, views=views)
    await catalog.publish(make_event("jazz"))
    assert await catalog.get("jazz", render_card, "user-1") == b"jazz@1"
    opened = f.db.units_opened
    assert await catalog.get("jazz", render_card, "user-1") == b"jazz@1"  # cached: no query, still a view
    assert f.db.units_opened == opened
    await catalog.get("jazz", render_card)  # anonymous: none
    with pytest.raises(NotFound):
        await catalog.get("no-such", render_card, "user-1")  # no card: no view
    assert views.seen == [("user-1", "jazz", FRIDAY_NIGHT)] * 2


# Lists and page tokens


async def publish_five(f: Fixture) -> list[str]:
    slugs = [f"event-{i}" for i in range(5)]
    for i, slug in enumerate(reversed(slugs)):  # published out of order
        await f.catalog.publish(make_event(slug, f.clock.now + timedelta(minutes=10 * (4 - i))))
    return slugs


async def test_page_tokens_walk_the_list_once(f: Fixture) -> None:
    slugs = await publish_five(f)
    filters = ListFilters(city="moscow", page_size=2)
    seen, token, pages = [], "", 0
    while True:
        body = await f.page(filters, token)
        seen += body["slugs"]  # type: ignore[operator]
        token, pages = str(body["token"]), pages + 1
        assert body["total"] == 5
        if not token:
            break
    assert (seen, pages) == (slugs, 3)


@pytest.mark.parametrize("other", [
    ListFilters(city="spb", page_size=2),
    ListFilters(city="moscow", categories=("theatre",), page_size=2),
    ListFilters(city="moscow", when="week", page_size=2),
])
async def test_a_page_token_only_works_with_the_filters_it_was_issued_for(f: Fixture, other: ListFilters) -> None:
    await publish_five(f)
    token = str((await f.page(ListFilters(city="moscow", page_size=2)))["token"])
    assert (await f.page(ListFilters(city="moscow", page_size=2), token))["slugs"]  # fine with its own
    with pytest.raises(InvalidArgument) as exc:
        await f.page(other, token)
    assert [v.field for v in exc.value.violations] == ["pageToken"]
    with pytest.raises(InvalidArgument):
        await f.page(ListFilters(city="moscow", page_size=2), "garbage!")


async def test_a_today_page_token_expires_at_moscow_midnight() -> None:
    f = Fixture(BEFORE_MOSCOW_MIDNIGHT - timedelta(hours=1))
    await publish_five(f)  # sessions in the next hour: all "today" in Moscow
    f.clock.now = BEFORE_MOSCOW_MIDNIGHT
    token = str((await f.page(ListFilters(when="today", page_size=2)))["token"])
    assert token
    f.clock.now = AFTER_MOSCOW_MIDNIGHT  # still December 1st in UTC
    with pytest.raises(InvalidArgument):
        await f.page(ListFilters(when="today", page_size=2), token)


async def test_the_list_query_is_built_at_the_clock_instant(f: Fixture) -> None:
    await f.page(ListFilters(when="weekend", categories=("theatre", "concert")))
    [query] = f.db.queries
    # 23:30 UTC on a Friday: the Moscow weekend has begun and ends Monday 00:00 Moscow.
    assert query.window_start == FRIDAY_NIGHT
    assert query.window_end == datetime(2026, 11, 29, 21, 0, tzinfo=UTC)
    assert (query.window_label, query.categories) == ("weekend@2026-11-28", ("concert", "theatre"))


async def test_cached_pages_are_keyed_by_the_moscow_day_not_the_utc_one() -> None:
    f = Fixture(BEFORE_MOSCOW_MIDNIGHT)
    filters = ListFilters(when="today")

    async def loads_at(now: datetime) -> int:
        f.clock.now = now
        before = len(f.db.queries)
        await f.page(filters)
        return len(f.db.queries) - before

    assert await loads_at(BEFORE_MOSCOW_MIDNIGHT) == 1
    assert await loads_at(BEFORE_MOSCOW_MIDNIGHT + timedelta(seconds=59)) == 0  # same request, same day
    assert await loads_at(AFTER_MOSCOW_MIDNIGHT) == 1  # a new Moscow day: "today" means another day
    assert await loads_at(datetime(2026, 12, 2, 0, 30, tzinfo=UTC)) == 0  # a new UTC day, same Moscow day
    assert f.db.queries[-1].window_label == "today@2026-12-02"
    # A clock set back gets the key of its own day again, not the last one computed.
    key = f.catalog.request_key
    assert key(b"r", BEFORE_MOSCOW_MIDNIGHT) == key(b"r", BEFORE_MOSCOW_MIDNIGHT - timedelta(hours=20))
    assert key(b"r", BEFORE_MOSCOW_MIDNIGHT) != key(b"r", AFTER_MOSCOW_MIDNIGHT)
