"""gamification-service: GET /api/v1/leaderboard through Envoy with 1M users in the
sorted set (loaded with a Redis pipeline), XP events (user.action) processed a second,
and `kgo game rebuild` (which also drops the bench's synthetic members again: the boards
become the XP ledger's)."""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime

import httpx
import psycopg
import redis
from confluent_kafka import Producer

from bench import wrk
from bench.accounts import signed_in
from bench.report import Check, Section
from kgo import provision, topology
from kgo.game_cli import rebuild
from kulturago.recommendation.v1 import events_pb2 as action_events
from services.runtime.messaging.envelope import wrap
from services.runtime.timestamps import to_timestamp

BASE = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
BOARD = "gam:lb:global:all"
MEMBERS = 1_000_000
PIPELINE_CHUNK = 10_000
CONNECTIONS = 4
SECONDS = 10
TARGET_P99_MS = 20.0
XP_EVENTS = 10_000
XP_USERS = 1_000
KINDS = (action_events.ACTION_KIND_VIEW, action_events.ACTION_KIND_SHARE, action_events.ACTION_KIND_FAVOURITE,
         action_events.ACTION_KIND_CHECKIN)


def load_members(client: redis.Redis) -> float:
    """1M synthetic members with random scores, ZADD in pipelined chunks; seconds taken."""
    rng = random.Random(7)
    started = time.monotonic()
    pipe = client.pipeline(transaction=False)
    for start in range(0, MEMBERS, PIPELINE_CHUNK):
        pipe.zadd(BOARD, {f"bench-{n}": rng.randint(0, 100_000) for n in range(start, start + PIPELINE_CHUNK)})
        if (start // PIPELINE_CHUNK) % 10 == 9:
            pipe.execute()
    pipe.execute()
    return time.monotonic() - started


def _database() -> str:
    return topology.database_url("gamification", provision.postgres_password())


def _slugs() -> list[str]:
    """Events of the catalog (recommendation-service also reads user.action: no empty slugs)."""
    with psycopg.connect(_database()) as conn:
        return [r[0] for r in conn.execute("SELECT slug FROM events ORDER BY slug LIMIT 200").fetchall()]


def _ledger_rows(prefix: str) -> int:
    with psycopg.connect(_database()) as conn:
        row = conn.execute("SELECT count(DISTINCT (user_id, source_id)) FROM xp_ledger WHERE source_id LIKE %s",
                           (prefix + "%",)).fetchone()
    return int(row[0]) if row else 0


def xp_events_per_second() -> tuple[float, float]:
    """(events a second from the first produced to the last recorded, seconds)."""
    run_id = uuid.uuid4().hex[:8]
    prefix = f"bench-{run_id}-"
    producer = Producer({"bootstrap.servers": f"127.0.0.1:{topology.KAFKA_PORT}", "linger.ms": 20})
    now = to_timestamp(datetime.now(UTC))
    slugs = _slugs()
    started = time.monotonic()
    for n in range(XP_EVENTS):
        user = f"bench-xp-{run_id}-{n % XP_USERS}"
        message = action_events.UserAction(user_id=user, action_id=f"{prefix}{n}", kind=KINDS[n % len(KINDS)],
                                           event_slug=slugs[n % len(slugs)], time=now, receive_time=now, source="bench")
        envelope = wrap("user.action", user, message, "//bench")
        producer.produce("user.action", key=envelope.key, value=envelope.payload,
                         headers=list(envelope.headers.items()))
        producer.poll(0)
    producer.flush(60)
    deadline = time.monotonic() + 600
    while _ledger_rows(prefix) < XP_EVENTS and time.monotonic() < deadline:
        time.sleep(0.5)
    took = time.monotonic() - started
    return _ledger_rows(prefix) / took, took


def run() -> Section:
    client = redis.Redis.from_url(provision.redis_url())
    load_s = load_members(client)
    members = client.zcard(BOARD)
    with httpx.Client(base_url=BASE, timeout=30) as http:
        (reader,) = signed_in(http, 1, login_prefix="bench_game", full_name="Bench Gamer")
        http.get("/api/v1/leaderboard", headers=reader).raise_for_status()
    top10 = wrk.run(f"GET /api/v1/leaderboard global/all limit=10 + my rank, {members} members", BASE,
                    ["/api/v1/leaderboard?scope=global&period=all&limit=10"], headers=reader,
                    connections=CONNECTIONS, seconds=SECONDS)
    top100 = wrk.run("GET /api/v1/leaderboard global/all limit=100 + my rank", BASE,
                     ["/api/v1/leaderboard?scope=global&period=all&limit=100"], headers=reader,
                     connections=CONNECTIONS, seconds=SECONDS)
    echo = wrk.run("GET /bench/echo (bare grpc.aio), for reference", BASE, ["/bench/echo?message=hi"],
                   connections=CONNECTIONS, seconds=SECONDS)
    per_second, took = xp_events_per_second()
    started = time.monotonic()
    rebuilt = rebuild(quiet=True)
    rebuild_s = time.monotonic() - started
    return Section("Gamification: leaderboards at 1M members, XP events", [top10, top100, echo], checks=[
        Check("leaderboard p99 at 1M members (ms)", top10.p99_ms, f"< {TARGET_P99_MS:.0f} ms",
              top10.p99_ms < TARGET_P99_MS),
        Check("XP events processed a second (user.action -> ledger)", per_second, "> 100", per_second > 100),
    ], notes=[
        f"{members} members loaded into {BOARD} with a pipeline in {load_s:.1f} s",
        f"{XP_EVENTS} user.action events ({XP_USERS} users, view/share/favourite/check-in) recorded in "
        f"{took:.1f} s: {per_second:.0f}/s (one consumer process, 16 keys at a time)",
        f"kgo game rebuild after it (drops the synthetic members): {rebuild_s:.1f} s, {rebuilt}",
    ])
