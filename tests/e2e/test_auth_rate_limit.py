"""The gateway's rate limit on AuthService's state-changing methods: a token bucket per
client address and method (kgo/gateway.py: 100 burst, 50/s). One client's flood spends
its own budget only: other clients still sign in, and the JWKS is never limited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from kgo.gateway import GatewayOptions

BURST = 250
REFILL_SECONDS = GatewayOptions().auth_burst / GatewayOptions().auth_per_second + 1
FLOODER = "127.0.0.2"  # another loopback address: another client to the gateway


@pytest.fixture
async def flooder(gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.AsyncHTTPTransport(local_address=FLOODER)
    async with httpx.AsyncClient(base_url=gateway, transport=transport, timeout=15) as client:
        yield client


async def _flood(client: httpx.AsyncClient) -> list[httpx.Response]:
    # An empty login fails validation at once: cheap for auth-service, so the burst
    # outruns the bucket's refill (a real password check would pace the requests).
    return await asyncio.gather(*(
        client.post("/api/v1/auth/signin", json={"login": "", "password": ""}) for _ in range(BURST)))


@pytest.mark.disruptive
async def test_a_flood_from_one_client_is_limited_and_others_are_not(
        flooder: httpx.AsyncClient, ahttp: httpx.AsyncClient) -> None:
    await asyncio.sleep(REFILL_SECONDS)  # start from a full bucket, whatever ran before
    try:
        replies = await _flood(flooder)
        # Right away, while the flooder's bucket is empty: another client is served.
        other_sign_in = await ahttp.post("/api/v1/auth/signin", json={"login": "", "password": ""})
        jwks = await ahttp.get("/.well-known/jwks.json")
        flooder_jwks = await flooder.get("/.well-known/jwks.json")
    finally:
        await asyncio.sleep(REFILL_SECONDS)  # leave a full bucket for whatever runs next
    statuses = [r.status_code for r in replies]
    assert set(statuses) == {400, 429}, statuses  # limited, or passed on to the service
    assert statuses.count(400) >= GatewayOptions().auth_burst  # a full burst is allowed through
    for reply in (r for r in replies if r.status_code == 429):
        assert reply.headers["content-type"].startswith("application/json")
        assert reply.json()["code"] == 8  # RESOURCE_EXHAUSTED
        assert reply.json()["message"]
        assert reply.headers["x-ratelimit-limited"] == "true"
        assert int(reply.headers["retry-after"]) >= 1
    assert other_sign_in.status_code == 400, other_sign_in.text  # reached auth-service, not 429
    assert jwks.status_code == 200
    assert flooder_jwks.status_code == 200  # reads are never limited, not even for the flooder


@pytest.mark.disruptive
async def test_a_clients_budget_is_per_method(flooder: httpx.AsyncClient) -> None:
    await asyncio.sleep(REFILL_SECONDS)
    try:
        replies = await _flood(flooder)
        refresh = await flooder.post("/api/v1/auth/refresh", json={"refreshToken": "not-a-token"})
    finally:
        await asyncio.sleep(REFILL_SECONDS)
    assert 429 in [r.status_code for r in replies]
    assert refresh.status_code != 429, refresh.text  # sign-in's empty bucket is not refresh's
