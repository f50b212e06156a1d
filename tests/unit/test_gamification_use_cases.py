"""gamification-service's use cases over fakes of its own ports: XP, caps, idempotency,
badges through the outbox, the leaderboard projection (exactly once), rebuild, reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from gamification_fakes import FakeLeaderboards, FakeProjection, FakeUnitOfWork, World

from kulturago.gamification.v1 import events_pb2
from services.gamification.domain.rules import EventInfo, Fact
from services.gamification.service_layer.awarding import record_fact
from services.gamification.service_layer.leaderboards import LeaderboardReader, Projector
from services.gamification.service_layer.players import Players
from services.gamification.service_layer.ports import UserInfo
from services.runtime.errors import InvalidArgument, NotFound

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 12:00 in Moscow


def _uow(w: World) -> FakeUnitOfWork:
    return FakeUnitOfWork(w)


async def test_views_are_capped_per_moscow_day_and_replays_award_nothing() -> None:
    w = World()
    uow = _uow(w)
    for n in range(25):
        await record_fact(uow, Fact("u1", f"v{n}", "view", NOW + timedelta(minutes=n)))
    assert w.totals["u1"] == (20, 1)  # 20 a day
    for n in range(25):  # the same actions again: nothing
        outcome = await record_fact(uow, Fact("u1", f"v{n}", "view", NOW + timedelta(minutes=n)))
        assert outcome.duplicate
    assert w.totals["u1"] == (20, 1)
    # 23:59 UTC is 02:59 of the next Moscow day: a new cap.
    await record_fact(uow, Fact("u1", "late", "view", datetime(2026, 11, 30, 21, 1, tzinfo=UTC)))
    assert w.totals["u1"] == (21, 1)


async def test_first_ticket_bonus_once_level_up_and_badge_events() -> None:
    w = World()
    uow = _uow(w)
    w.events["play"] = EventInfo("play", "theatre", "moscow", "moscow:cao")
    first = await record_fact(uow, Fact("u1", "order-1", "ticket_paid", NOW, w.events["play"]))
    assert first.xp == 120 and first.level == 2
    assert {b.id for b in first.badges} == {"first-ticket"}
    second = await record_fact(uow, Fact("u1", "order-2", "ticket_paid", NOW, w.events["play"]))
    assert second.xp == 140 and not second.badges
    topic, key, message = w.outbox[0]
    assert topic == "badge.earned" and key == "u1"
    assert isinstance(message, events_pb2.BadgeEarned) and message.badge_id == "first-ticket"
    assert message.names["ru"] == "Первый билет" and message.xp == 120


async def test_district_explorer_after_three_districts() -> None:
    w = World()
    uow = _uow(w)
    places = [("a", "moscow:cao"), ("b", "moscow:cao"), ("c", "moscow:sao"), ("d", "moscow:yuao")]
    earned = []
    for slug, district in places:
        w.events[slug] = EventInfo(slug, "concert", "moscow", district)
        outcome = await record_fact(uow, Fact("u1", f"checkin-{slug}", "check_in", NOW, w.events[slug]))
        earned.append({b.id for b in outcome.badges})
    assert "district-explorer" not in earned[0] | earned[1] | earned[2]
    assert "district-explorer" in earned[3]
    assert [m.badge_id for _, _, m in w.outbox].count("district-explorer") == 1  # type: ignore[attr-defined]


async def test_night_owl_by_moscow_time() -> None:
    w = World()
    outcome = await record_fact(_uow(w), Fact("u1", "n1", "view", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)))
    assert {b.id for b in outcome.badges} == {"night-owl"}


async def _scored(w: World, board: FakeLeaderboards) -> Projector:
    uow = _uow(w)
    for user, city, n in (("u1", "moscow", 3), ("u2", "spb", 2), ("u3", "moscow", 1)):
        w.users[user] = UserInfo(user, f"login-{user}", user.upper(), city)
        for i in range(n):
            await record_fact(uow, Fact(user, f"r{i}", "review", NOW))
    projector = Projector(FakeProjection(w), board, batch=2)
    await projector.step()
    return projector


async def test_projection_then_rebuild_equals_it() -> None:
    w, board = World(), FakeLeaderboards()
    projector = await _scored(w, board)
    assert board.boards["gam:lb:global:all"] == {"u1": 75, "u2": 50, "u3": 25}
    assert board.boards["gam:lb:city:spb:w2026-49"] == {"u2": 50}
    incremental = {k: dict(v) for k, v in board.boards.items()}
    assert await projector.step() == 0  # nothing new: nothing applied twice
    board.boards.clear()
    await projector.rebuild()
    assert board.boards == incremental


async def test_an_undone_batch_is_applied_once() -> None:
    w, board = World(), FakeLeaderboards()
    await _scored(w, board)
    w.batches[1] = False  # as if the projector died after Redis took batch 1, before marking it done
    before = {k: dict(v) for k, v in board.boards.items()}
    await Projector(FakeProjection(w), board).step()
    assert board.boards == before


async def test_leaderboard_with_my_rank_outside_the_top_and_friends() -> None:
    w, board = World(), FakeLeaderboards()
    await _scored(w, board)
    reader = LeaderboardReader(lambda: _uow(w), board, lambda: NOW)
    top = await reader.read("u3", "global", "week", 1, "")
    assert [(e.rank, e.user_id, e.xp) for e in top.entries] == [(1, "u1", 75)]
    assert (top.me.rank, top.me.xp) == (3, 25) and top.entries[0].user is not None
    city = await reader.read("u3", "city", "month", 10, "")
    assert city.city == "moscow" and [e.user_id for e in city.entries] == ["u1", "u3"]
    players = Players(lambda: _uow(w), lambda: NOW)
    await players.follow("u3", "LOGIN-u2")
    friends = await reader.read("u3", "friends", "all", 10, "")
    assert [(e.rank, e.user_id) for e in friends.entries] == [(1, "u2"), (2, "u3")] and friends.me.rank == 2
    assert [f.user.user_id for f in await players.friends("u3")] == ["u2"]
    await players.unfollow("u3", "login-u2")
    assert await players.friends("u3") == []
    with pytest.raises(NotFound):
        await players.follow("u3", "nobody")
    with pytest.raises(InvalidArgument):
        await players.follow("u3", "login-u3")
    nobody = await reader.read("u9", "global", "", 0, "")
    assert nobody.me.rank == 0 and len(nobody.entries) == 3


async def test_a_badge_of_an_old_fact_is_recorded_but_not_announced() -> None:
    w = World()
    old = Fact("u1", "old-review", "review", NOW - timedelta(days=30))
    outcome = await record_fact(_uow(w), old, now=NOW)
    assert {b.id for b in outcome.badges} == {"first-review"} and "first-review" in w.badges["u1"]
    assert w.outbox == []
    await record_fact(_uow(w), Fact("u2", "r", "review", NOW - timedelta(hours=47)), now=NOW)
    assert [m.badge_id for _, _, m in w.outbox] == ["first-review"]  # type: ignore[attr-defined]
