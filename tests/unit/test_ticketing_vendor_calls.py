"""The vendor circuit breaker (services/ticketing/adapters/vendors/calls.py) opens on the
vendor's failures, not on calls we cancel ourselves."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.ticketing.adapters.vendors.calls import VendorCalls, VendorUnavailable


async def _ok() -> httpx.Response:
    return httpx.Response(200)


async def _failing() -> httpx.Response:
    return httpx.Response(503)


async def _hanging() -> httpx.Response:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def test_calls_we_cancel_do_not_open_the_circuit() -> None:
    calls = VendorCalls("cancel-test", timeout_seconds=1, breaker_threshold=2)
    for _ in range(3):
        task = asyncio.create_task(calls.call("orders.get", _hanging, safe_to_repeat=False))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert (await calls.call("orders.get", _ok, safe_to_repeat=False)).status_code == 200


async def test_the_vendors_failures_do_open_it() -> None:
    calls = VendorCalls("failure-test", timeout_seconds=1, breaker_threshold=2)
    for _ in range(2):
        with pytest.raises(VendorUnavailable):
            await calls.call("orders.get", _failing, safe_to_repeat=False)
    with pytest.raises(VendorUnavailable) as fast:
        await calls.call("orders.get", _ok, safe_to_repeat=False)
    assert fast.value.reason == "VENDOR_CIRCUIT_OPEN"
