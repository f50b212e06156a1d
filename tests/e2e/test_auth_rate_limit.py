"""The gateway's token bucket on /api/v1/auth/* (kgo/gateway.py: 100 burst, 50/s)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from kgo.gateway import GatewayOptions

BURST = 250
REFILL_SECONDS = GatewayOptions().auth_burst / GatewayOptions().auth_per_second + 1


@pytest.mark.disruptive
async def test_a_sign_in_burst_is_rate_limited(ahttp: httpx.AsyncClient) -> None:
    await asyncio.sleep(REFILL_SECONDS)  # start from a full bucket, whatever ran before
    # An empty login fails validation at once: cheap for auth-service, so the burst
    # outruns the bucket's refill (a real password check would pace the requests).
    try:
        replies = await asyncio.gather(*(
            ahttp.post("/api/v1/auth/signin", json={"login": "", "password": ""}) for _ in range(BURST)))
    finally:
        await asyncio.sleep(REFILL_SECONDS)  # leave a full bucket for whatever runs next
    statuses = [r.status_code for r in replies]
    assert set(statuses) == {400, 429}, statuses  # limited, or passed on to the service
    assert statuses.count(400) >= GatewayOptions().auth_burst  # a full burst is allowed through
    for reply in (r for r in replies if r.status_code == 429):
        assert reply.headers["content-type"].startswith("application/json")
        assert reply.json()["code"] == 8  # RESOURCE_EXHAUSTED
        assert reply.headers["x-ratelimit-limited"] == "true"
