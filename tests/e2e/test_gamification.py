"""gamification-service end to end, through Envoy: actions -> XP and levels with the daily
cap, badges (district explorer, night owl) -> badge.earned on Kafka, leaderboards
(global, friends, my own rank), replays that award nothing twice, the Redis leaderboards
rebuilt from the ledger equal to the incremental ones, and bad input named."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
import redis as redis_sync
from auth_support import Account, assert_bad_request
from catalog_support import event_body, publish
from confluent_kafka import Producer
from kafka_support import read_topic
from notification_support import eventually

from kgo import provision, topology
from kgo.game_cli import rebuild
from kulturago.gamification.v1 import events_pb2 as game_events
from kulturago.recommendation.v1 import events_pb2 as action_events
from services.runtime.messaging.envelope import wrap
from services.runtime.timestamps import to_timestamp

KAFKA = f"127.0.0.1:{topology.KAFKA_PORT}"
GAME_DB = topology.database_url("gamification", provision.postgres_password())
# Real places in three Moscow okrugs (services/gamification/data/districts.geojson).
BOLSHOI, VDNKH, TSARITSYNO = (55.7601, 37.6186), (55.8297, 37.6336), (55.6155, 37.6860)
WAIT = 60.0  # the consumer may have a backlog of user.action from load tests


def _event(http: httpx.Client, admin: Account, place: tuple[float, float], category: str = "concert") -> str:
    slug = publish(http, admin, event_body(category=category, lat=place[0], lon=place[1]))["slug"]

    def known() -> bool:
        with psycopg.connect(GAME_DB) as conn:
            return conn.execute("SELECT 1 FROM events WHERE slug = %s", (slug,)).fetchone() is not None

    eventually(known, f"event {slug} in gamification-service", timeout=WAIT)
    return slug


def _action(user_id: str, kind: action_events.ActionKind, slug: str, action_id: str | None = None,
            at: datetime | None = None) -> tuple[str, bytes, bytes, list[tuple[str, str | bytes | None]]]:
    at = at or datetime.now(UTC)
    message = action_events.UserAction(user_id=user_id, action_id=action_id or str(uuid.uuid4()), kind=kind,
                                       event_slug=slug, time=to_timestamp(at), receive_time=to_timestamp(at),
                                       source="gid")
    envelope = wrap("user.action", user_id, message, "//tests")
    return message.action_id, envelope.key, envelope.payload, list(envelope.headers.items())


def _send(*actions: tuple[str, bytes, bytes, list[tuple[str, str | bytes | None]]]) -> None:
    producer = Producer({"bootstrap.servers": KAFKA})
    for _, key, payload, headers in actions:
        producer.produce("user.action", key=key, value=payload, headers=headers)
    assert producer.flush(10) == 0


def _checkin(user: Account, slug: str, **kw: Any) -> tuple[str, bytes, bytes, list[tuple[str, str | bytes | None]]]:
    return _action(user.id, action_events.ACTION_KIND_CHECKIN, slug, **kw)


def _xp(http: httpx.Client, user: Account) -> dict[str, Any]:
    reply = http.get("/api/v1/xp", headers=user.headers)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _xp_reaches(http: httpx.Client, user: Account, xp: int) -> dict[str, Any]:
    return eventually(lambda: (body := _xp(http, user)) and int(body.get("xp", 0)) >= xp and body,
                      f"{xp} XP", timeout=WAIT)


@pytest.fixture(scope="module")
def venues(http: httpx.Client, admin: Account) -> dict[str, str]:
    return {"cao": _event(http, admin, BOLSHOI, "theatre"), "svao": _event(http, admin, VDNKH),
            "yuao": _event(http, admin, TSARITSYNO)}


def test_actions_move_xp_and_level_and_the_daily_cap_holds(http: httpx.Client, account: Account,
                                                           venues: dict[str, str]) -> None:
    fresh = _xp(http, account)
    assert int(fresh.get("xp", 0)) == 0 and fresh["level"] == 1 and fresh["nextLevelXp"] == "100"
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    views = [{"id": str(uuid.uuid4()), "kind": "ACTION_KIND_VIEW", "eventSlug": venues["cao"], "clientTime": now}
             for _ in range(25)]
    reply = http.post("/api/v1/actions", json={"actions": views}, headers=account.headers)
    assert reply.status_code == 200, reply.text
    # A check-in after the views (the same key: handled after them) marks the end.
    _send(_checkin(account, venues["cao"]))
    body = _xp_reaches(http, account, 30)
    assert int(body["xp"]) == 20 + 30  # 25 views, 20 of them paid (the cap)
    assert body["level"] == 1 and body["nextLevelXp"] == "100"
    _send(_checkin(account, venues["svao"]), _checkin(account, venues["yuao"]))
    body = _xp_reaches(http, account, 110)
    assert int(body["xp"]) == 110 and body["level"] == 2 and body["nextLevelXp"] == "300"


def test_district_explorer_and_night_owl_go_to_badge_earned(http: httpx.Client, account: Account,
                                                             venues: dict[str, str]) -> None:
    # 02:30 in Moscow (the last night): a night owl.
    night = (datetime.now(UTC) + timedelta(hours=3)).replace(hour=2, minute=30) - timedelta(hours=3)
    if night > datetime.now(UTC):
        night -= timedelta(days=1)
    _send(_checkin(account, venues["cao"], at=night), _checkin(account, venues["svao"]))
    body = _xp_reaches(http, account, 60)
    assert "district-explorer" not in {b["id"] for b in body.get("badges", [])}
    _send(_checkin(account, venues["yuao"]))
    body = eventually(lambda: (b := _xp(http, account)) and "district-explorer" in {x["id"] for x in
                                                                                    b.get("badges", [])} and b,
                      "the district explorer badge", timeout=WAIT)
    badges = {b["id"]: b for b in body["badges"]}
    assert {"district-explorer", "night-owl", "first-check-in"} <= set(badges)
    assert badges["district-explorer"]["names"]["en"] == "District explorer"
    records = read_topic("badge.earned", key=account.id, until=lambda rs: {
        game_events.BadgeEarned.FromString(r.value).badge_id for r in rs} >= {"district-explorer", "night-owl"})
    earned = [game_events.BadgeEarned.FromString(r.value) for r in records]
    assert [e.badge_id for e in earned].count("district-explorer") == 1
    explorer = next(e for e in earned if e.badge_id == "district-explorer")
    assert explorer.user_id == account.id and explorer.names["ru"] == "Исследователь районов" and explorer.xp == 90


def test_replayed_actions_award_nothing_twice(http: httpx.Client, account: Account, venues: dict[str, str]) -> None:
    first = [_checkin(account, slug) for slug in venues.values()]
    _send(*first)
    _xp_reaches(http, account, 90)
    # The same actions again, as a replay of the topic would bring them (new message ids),
    # then a new one that marks the end (same key: handled after them).
    _send(*[_checkin(account, venues[d], action_id=a[0]) for d, a in zip(venues, first, strict=True)])
    _send(_action(account.id, action_events.ACTION_KIND_SHARE, venues["cao"]))
    body = _xp_reaches(http, account, 95)
    assert int(body["xp"]) == 95


def _scores(client: redis_sync.Redis, users: list[str]) -> dict[tuple[str, str], float]:
    scores = {}
    for key in client.scan_iter(match="gam:lb:*", count=1000):
        if b":rebuild:" in key:
            continue
        for user, score in zip(users, client.zmscore(key, users), strict=True):
            if score is not None:
                scores[(key.decode(), user)] = score
    return scores


def test_leaderboards_global_and_friends_with_my_rank_and_the_rebuild(
        http: httpx.Client, new_account: Callable[[], Account], venues: dict[str, str],
        redis_client: redis_sync.Redis) -> None:
    leader, me = new_account(), new_account()
    _send(*[_checkin(leader, slug) for slug in venues.values()])
    _send(_checkin(me, venues["cao"]))
    _xp_reaches(http, leader, 90)
    _xp_reaches(http, me, 30)
    followed = eventually(lambda: (r := http.post(f"/api/v1/friends/{leader.login}", headers=me.headers))
                          .status_code == 200 and r.json(), "following the leader (user.signed_up)", timeout=WAIT)
    assert followed["userId"] == leader.id and followed["login"] == leader.login and followed["xp"] == "90"
    assert [f["login"] for f in http.get("/api/v1/friends", headers=me.headers).json()["friends"]] == [leader.login]

    def board(**params: Any) -> dict[str, Any]:
        reply = http.get("/api/v1/leaderboard", params=params, headers=me.headers)
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()
        return body

    friends = eventually(lambda: (b := board(scope="friends", period="week")) and len(b.get("entries", [])) == 2
                         and b, "the friends board", timeout=WAIT)
    assert [(e["rank"], e["userId"], e["xp"]) for e in friends["entries"]] == [("1", leader.id, "90"),
                                                                                ("2", me.id, "30")]
    assert friends["me"]["rank"] == "2" and friends["entries"][0]["login"] == leader.login
    top = board(scope="global", period="all", limit=1)
    assert len(top["entries"]) == 1 and top["me"]["userId"] == me.id and top["me"]["xp"] == "30"
    assert int(top["me"]["rank"]) > 1  # outside the top 1, still told
    city = board(scope="city", city="moscow", period="month", limit=100)
    assert city["city"] == "moscow" and int(city["me"]["rank"]) >= 1

    # Redis flushed -> rebuilt from the ledger -> the same scores.
    users = [leader.id, me.id]
    before = _scores(redis_client, users)
    assert before[("gam:lb:global:all", leader.id)] == 90 and before[("gam:lb:city:moscow:all", me.id)] == 30
    stale = list(redis_client.scan_iter(match="gam:lb:*", count=1000))
    redis_client.delete(*stale)
    assert _scores(redis_client, users) == {}
    rebuild(quiet=True)
    assert _scores(redis_client, users) == before

    assert http.delete(f"/api/v1/friends/{leader.login}", headers=me.headers).status_code == 200
    assert http.get("/api/v1/friends", headers=me.headers).json().get("friends", []) == []


def test_bad_input_is_named(http: httpx.Client, account: Account) -> None:
    assert_bad_request(http.get("/api/v1/leaderboard", params={"scope": "galaxy"}, headers=account.headers), "scope")
    assert_bad_request(http.get("/api/v1/leaderboard", params={"period": "year"}, headers=account.headers), "period")
    assert_bad_request(http.get("/api/v1/leaderboard", params={"limit": 500}, headers=account.headers), "limit")
    assert_bad_request(http.get("/api/v1/leaderboard", params={"city": "paris"}, headers=account.headers), "city")
    assert_bad_request(http.post("/api/v1/friends/x!", headers=account.headers), "login")
    eventually(lambda: http.post("/api/v1/friends/nobody_here_at_all", headers=account.headers).status_code == 404,
               "404 for an unknown login")
    self_follow = eventually(lambda: (r := http.post(f"/api/v1/friends/{account.login}", headers=account.headers))
                             .status_code != 404 and r, "user.signed_up in gamification-service", timeout=WAIT)
    assert_bad_request(self_follow, "login")
    assert http.get("/api/v1/xp").status_code == 401
