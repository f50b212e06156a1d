"""auth's failed sign-in counters on the real Redis (services/auth/adapters/sign_in_throttle.py):
the Lua script applies the rules of the domain, parallel attempts cannot slip past a
lock, and an unreachable Redis admits (sign-in degrades, it does not fail)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from kgo import provision
from services.auth.adapters.sign_in_throttle import RedisSignInThrottle
from services.auth.domain.sign_in_throttling import Backoff, SignInThrottling, Throttled
from services.runtime.cache import open_redis

RULES = SignInThrottling(account=Backoff(free=4, cap_seconds=5, window_seconds=60),
                         client=Backoff(free=2, cap_seconds=5, window_seconds=60))


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = open_redis(provision.redis_url())
    yield client
    await client.aclose()


@pytest.fixture
def account() -> str:
    return uuid.uuid4().hex[:32]


async def test_a_client_is_held_after_its_free_failures_and_released_by_a_success(
        redis: aioredis.Redis, account: str) -> None:
    throttle = RedisSignInThrottle(redis, RULES)
    assert [await throttle.admit(account, "203.0.113.7") for _ in range(2)] == [None, None]
    assert await throttle.admit(account, "203.0.113.7") == Throttled(1)
    assert 0 < await redis.pttl(f"signin:{{{account}}}:c:203.0.113.7:lock") <= 1000
    await asyncio.sleep(1.05)
    assert await throttle.admit(account, "203.0.113.7") is None  # admitted: the third failure ...
    assert await throttle.admit(account, "203.0.113.7") == Throttled(2)  # ... doubles the wait
    await throttle.succeeded(account, "203.0.113.7")  # (had the admitted one been right)
    assert await throttle.admit(account, "203.0.113.7") is None
    assert int(await redis.get(f"signin:{{{account}}}:n")) == 3  # the success is not a failure
    assert 55 <= await redis.ttl(f"signin:{{{account}}}:n") <= 60  # forgotten a window after the last


async def test_the_account_wait_holds_only_clients_with_failures_of_their_own(
        redis: aioredis.Redis, account: str) -> None:
    throttle = RedisSignInThrottle(redis, RULES)
    for bot in range(4):  # four addresses, one failure each: the account reaches its free failures
        assert await throttle.admit(account, f"192.0.2.{bot}") is None
    assert await throttle.admit(account, "192.0.2.0") == Throttled(1)  # failed before: held
    assert await throttle.admit(account, "198.51.100.20") is None  # the owner, no failures: admitted


async def test_a_parallel_burst_gets_only_the_free_attempts(redis: aioredis.Redis, account: str) -> None:
    throttle = RedisSignInThrottle(redis, RULES)
    outcomes = await asyncio.gather(*(throttle.admit(account, "203.0.113.7") for _ in range(50)))
    assert sum(outcome is None for outcome in outcomes) == 2


async def test_unreachable_redis_admits_every_attempt() -> None:
    down = open_redis("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        throttle = RedisSignInThrottle(down, RULES)
        assert [await throttle.admit("a" * 32, "203.0.113.7") for _ in range(10)] == [None] * 10
        await throttle.succeeded("a" * 32, "203.0.113.7")  # no exception either
    finally:
        await down.aclose()
