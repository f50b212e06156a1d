"""The TicketsCloud adapter (services/ticketing/adapters/vendors/ticketscloud.py) against
the TicketsCloud sandbox run in-process: orders reserved then PATCHed to executed or
cancelled, the API key checked, the sandbox's own inventory, and every failure mode the
sandbox injects (5xx, a stall past our timeout, tickets just taken, a reservation lost
before confirm), with the circuit breaker opening and answering fast."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from envoy_support import free_port

from sandboxes.ticketscloud.app import build
from sandboxes.ticketscloud.settings import SandboxSettings
from services.runtime.errors import Conflict
from services.ticketing.adapters.vendors.calls import VendorCalls, VendorTimeout, VendorUnavailable
from services.ticketing.adapters.vendors.ticketscloud import TicketsCloudVendor
from services.ticketing.adapters.vendors.vendor_orders import InMemoryVendorOrderIds
from services.ticketing.domain.model import Ticket
from services.ticketing.service_layer.ports import ReservationLost

KEY = "tc-test-key"
EVENT, SEATED = "5f1e0c0ffee0000000000001", "5f1e0c0ffee0000000000002"
STANDARD = "5f1e0c0ffee00000000000aa"


@dataclass
class Sandbox:
    url: str
    control: httpx.AsyncClient

    async def fault(self, **fault: Any) -> None:
        (await self.control.post("/sandbox/faults", json=fault)).raise_for_status()

    async def vacant(self, event: str = EVENT) -> int:
        return int((await self.control.get(f"/sandbox/events/{event}")).json()["sets"][0]["amount_vacant"])

    async def orders(self, event: str = EVENT) -> list[dict[str, Any]]:
        return list((await self.control.get("/sandbox/orders", params={"event": event})).json()["orders"])


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    port = free_port()
    settings = SandboxSettings(api_key=KEY, port=port, state_file=tmp_path / "tc.sqlite3", seed_demo=False)
    runner = web.AppRunner(build(settings))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    async with httpx.AsyncClient(base_url=settings.base_url) as control:
        (await control.put(f"/sandbox/events/{EVENT}", json={
            "title": "Стендап", "sets": [{"id": STANDARD, "name": "Входной", "price": 90000, "amount": 10}]})
         ).raise_for_status()
        (await control.put(f"/sandbox/events/{SEATED}", json={
            "title": "Зал", "sets": [{"id": "hall", "name": "Партер", "price": 100000, "amount": 3}],
            "seats": [["A-1", "hall"], ["A-2", "hall"], ["A-3", "hall"]]})).raise_for_status()
        yield Sandbox(settings.base_url, control)
    await runner.cleanup()


def vendor(sandbox: Sandbox, *, key: str = KEY, timeout: float = 0.5, threshold: int = 5) -> TicketsCloudVendor:
    calls = VendorCalls("ticketscloud", timeout_seconds=timeout, attempts=3, backoff_seconds=0.01,
                        breaker_threshold=threshold, breaker_reset_seconds=60)
    return TicketsCloudVendor(sandbox.url, key, InMemoryVendorOrderIds(), calls)


def tickets(n: int, tier: str = STANDARD, seats: tuple[str, ...] = ()) -> list[Ticket]:
    if seats:
        return [Ticket(id=f"t{i}", tier_id=tier, tier_name="", price=1, seat=s) for i, s in enumerate(seats)]
    return [Ticket(id=f"t{i}", tier_id=tier, tier_name="", price=1) for i in range(n)]


async def test_reserve_then_confirm_sells_at_the_vendor(sandbox: Sandbox) -> None:
    tc = vendor(sandbox)
    reservation = await tc.reserve("order-1", "slug", EVENT, tickets(2), 900)
    assert reservation.reservation_id == "order-1" and reservation.expire_time is not None
    assert await sandbox.vacant() == 8 and await tc.status("order-1") == "reserved"
    await tc.confirm("order-1")
    assert await tc.status("order-1") == "confirmed"
    [order] = await sandbox.orders()
    assert order["status"] == "executed" and len(order["tickets"]) == 2 and order["value"] == "1800.00"
    await tc.close()


async def test_release_gives_the_tickets_back_and_may_be_repeated(sandbox: Sandbox) -> None:
    tc = vendor(sandbox)
    await tc.reserve("order-2", "slug", EVENT, tickets(3), 900)
    assert await sandbox.vacant() == 7
    await tc.release("order-2")
    await tc.release("order-2")
    assert await sandbox.vacant() == 10 and await tc.status("order-2") == "released"
    await tc.release("never-reserved")  # nothing there: nothing to do
    await tc.close()


async def test_seats_are_reserved_by_ticket_and_a_taken_one_is_a_conflict(sandbox: Sandbox) -> None:
    tc = vendor(sandbox)
    await tc.reserve("order-3", "slug", SEATED, tickets(0, "hall", ("A-1", "A-2")), 900)
    with pytest.raises(Conflict) as taken:
        await tc.reserve("order-4", "slug", SEATED, tickets(0, "hall", ("A-2", "A-3")), 900)
    assert taken.value.reason == "SEAT_TAKEN"
    seats = {s["id"]: s["vacant"] for s in (await sandbox.control.get(f"/sandbox/events/{SEATED}")).json()["seats"]}
    assert seats == {"A-1": False, "A-2": False, "A-3": True}  # nothing of order-4 held
    await tc.close()


async def test_seat_just_taken_at_the_vendor_is_a_conflict_holding_nothing(sandbox: Sandbox) -> None:
    tc = vendor(sandbox)
    await sandbox.fault(method="orders.create", mode="taken", match={"event": EVENT})
    with pytest.raises(Conflict) as taken:
        await tc.reserve("order-5", "slug", EVENT, tickets(2), 900)
    assert taken.value.reason == "SOLD_OUT"
    # The box office sold those two: none of ours is held, and the next reserve works.
    assert [o["channel"] for o in await sandbox.orders()] == ["box office"] and await sandbox.vacant() == 8
    await tc.reserve("order-6", "slug", EVENT, tickets(1), 900)
    await tc.close()


async def test_the_api_key_is_checked(sandbox: Sandbox) -> None:
    tc = vendor(sandbox, key="wrong")
    with pytest.raises(VendorUnavailable) as refused:
        await tc.reserve("order-7", "slug", EVENT, tickets(1), 900)
    assert refused.value.reason == "VENDOR_REFUSED" and await sandbox.vacant() == 10
    await tc.close()


async def test_a_5xx_or_a_stall_on_reserve_is_unavailable_and_never_repeated(sandbox: Sandbox) -> None:
    tc = vendor(sandbox)
    await sandbox.fault(method="orders.create", mode="error", match={"event": EVENT})
    with pytest.raises(VendorUnavailable):
        await tc.reserve("order-8", "slug", EVENT, tickets(1), 900)
    await sandbox.fault(method="orders.create", mode="stall", seconds=1.5, match={"event": EVENT})
    started = time.monotonic()
    with pytest.raises(VendorTimeout):
        await tc.reserve("order-9", "slug", EVENT, tickets(1), 900)
    assert time.monotonic() - started < 1.2  # our timeout, not the vendor's stall
    # A POST is not repeated: at most the one stalled order exists (it expires there by itself).
    assert len(await sandbox.orders()) <= 1
    await tc.close()


async def test_release_and_status_are_retried_through_a_5xx(sandbox: Sandbox) -> None:
    tc = vendor(sandbox)
    await tc.reserve("order-10", "slug", EVENT, tickets(1), 900)
    await sandbox.fault(method="orders.update", mode="error", times=2, match={"event": EVENT})
    await tc.release("order-10")
    await sandbox.fault(method="orders.get", mode="error", times=2, match={"event": EVENT})
    assert await tc.status("order-10") == "released"
    await tc.close()


async def test_a_confirm_timeout_leaves_the_answer_to_status(sandbox: Sandbox) -> None:
    tc = vendor(sandbox)
    await tc.reserve("order-11", "slug", EVENT, tickets(1), 900)
    await sandbox.fault(method="orders.update", mode="stall", seconds=0.8, match={"event": EVENT})
    with pytest.raises(TimeoutError):
        await tc.confirm("order-11")
    # The vendor acted after our timeout: status says so, nobody guesses.
    deadline = time.monotonic() + 3
    while await tc.status("order-11") != "confirmed":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    await tc.close()


async def test_a_reservation_lost_at_the_vendor_cannot_be_confirmed(sandbox: Sandbox) -> None:
    tc = vendor(sandbox)
    await tc.reserve("order-12", "slug", EVENT, tickets(1), 900)
    await sandbox.fault(method="orders.update", mode="lose", seconds=0, match={"event": EVENT})
    with pytest.raises(ReservationLost):
        await tc.confirm("order-12")
    assert await tc.status("order-12") == "released" and await sandbox.vacant() == 10
    await tc.close()


async def test_the_breaker_opens_after_repeated_failures_and_answers_fast(sandbox: Sandbox) -> None:
    tc = vendor(sandbox, threshold=3)
    await sandbox.fault(method="orders.create", mode="error", times=3, match={"event": EVENT})
    for i in range(3):
        with pytest.raises(VendorUnavailable):
            await tc.reserve(f"order-b{i}", "slug", EVENT, tickets(1), 900)
    started = time.monotonic()
    with pytest.raises(VendorUnavailable) as fast:
        await tc.reserve("order-b4", "slug", EVENT, tickets(1), 900)
    assert fast.value.reason == "VENDOR_CIRCUIT_OPEN" and time.monotonic() - started < 0.1
    assert await sandbox.orders() == []  # the vendor was not even asked
    await tc.close()


async def test_latency_below_our_timeout_only_slows_the_call(sandbox: Sandbox) -> None:
    tc = vendor(sandbox)
    await sandbox.fault(method="orders.create", mode="latency", seconds=0.3, match={"event": EVENT})
    started = time.monotonic()
    await tc.reserve("order-13", "slug", EVENT, tickets(1), 900)
    assert time.monotonic() - started >= 0.3 and await tc.status("order-13") == "reserved"
    await tc.close()


class BrokenIds(InMemoryVendorOrderIds):
    async def remember(self, order_id: str, vendor: str, vendor_order_id: str) -> None:
        raise ConnectionError("database down")


async def test_an_order_we_could_not_record_is_cancelled_there_at_once(sandbox: Sandbox) -> None:
    calls = VendorCalls("ticketscloud", timeout_seconds=0.5, attempts=3, backoff_seconds=0.01)
    tc = TicketsCloudVendor(sandbox.url, KEY, BrokenIds(), calls)
    with pytest.raises(ConnectionError):
        await tc.reserve("order-14", "slug", EVENT, tickets(2), 900)
    assert [o["status"] for o in await sandbox.orders()] == ["cancelled"] and await sandbox.vacant() == 10
    await tc.close()
