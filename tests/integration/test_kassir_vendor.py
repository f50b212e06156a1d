"""The Kassir adapter (services/ticketing/adapters/vendors/kassir.py) against the Kassir
sandbox run in-process: reservations keyed by our order id (a repeat is the same
reservation), confirm and release, the API key checked, the sandbox's own seat
inventory, and the failure modes it injects (5xx, a stall past our timeout, seats just
taken, a reservation lost before confirm), with the circuit breaker answering fast."""

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

from sandboxes.kassir.app import build
from sandboxes.kassir.settings import SandboxSettings
from services.runtime.errors import Conflict
from services.ticketing.adapters.vendors.calls import VendorCalls, VendorTimeout, VendorUnavailable
from services.ticketing.adapters.vendors.kassir import KassirVendor
from services.ticketing.domain.model import Ticket
from services.ticketing.service_layer.ports import ReservationLost

KEY = "kassir-test-key"
SESSION, STANDING = "4815001", "4815002"


@dataclass
class Sandbox:
    url: str
    control: httpx.AsyncClient

    async def fault(self, **fault: Any) -> None:
        (await self.control.post("/sandbox/faults", json=fault)).raise_for_status()

    async def seats(self) -> dict[str, bool]:
        session = (await self.control.get(f"/sandbox/sessions/{SESSION}")).json()
        return {s["id"]: s["available"] for s in session["seats"]}

    async def available(self) -> int:
        return int((await self.control.get(f"/sandbox/sessions/{STANDING}")).json()["categories"][0]["available"])

    async def reservations(self, session: str = SESSION) -> list[dict[str, Any]]:
        return list((await self.control.get("/sandbox/reservations", params={"sessionId": session})
                     ).json()["reservations"])


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    port = free_port()
    settings = SandboxSettings(api_key=KEY, port=port, state_file=tmp_path / "kassir.sqlite3", seed_demo=False)
    runner = web.AppRunner(build(settings))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    async with httpx.AsyncClient(base_url=settings.base_url) as control:
        (await control.put(f"/sandbox/sessions/{SESSION}", json={
            "title": "Чайка", "categories": [{"id": "parter", "name": "Партер", "price": 300000, "quantity": 3}],
            "seats": [["A-1", "parter"], ["A-2", "parter"], ["A-3", "parter"]]})).raise_for_status()
        (await control.put(f"/sandbox/sessions/{STANDING}", json={
            "title": "Концерт", "categories": [{"id": "fan", "name": "Фан-зона", "price": 100000,
                                                "quantity": 10}]})).raise_for_status()
        yield Sandbox(settings.base_url, control)
    await runner.cleanup()


def vendor(sandbox: Sandbox, *, key: str = KEY, timeout: float = 0.5, threshold: int = 5) -> KassirVendor:
    calls = VendorCalls("kassir", timeout_seconds=timeout, attempts=3, backoff_seconds=0.01,
                        breaker_threshold=threshold, breaker_reset_seconds=60)
    return KassirVendor(sandbox.url, key, calls)


def seats(*ids: str) -> list[Ticket]:
    return [Ticket(id=f"t{i}", tier_id="parter", tier_name="", price=1, seat=s) for i, s in enumerate(ids)]


def standing(n: int) -> list[Ticket]:
    return [Ticket(id=f"t{i}", tier_id="fan", tier_name="", price=1) for i in range(n)]


async def test_reserve_confirm_and_status(sandbox: Sandbox) -> None:
    kassir = vendor(sandbox)
    reservation = await kassir.reserve("order-1", "slug", SESSION, seats("A-1", "A-2"), 900)
    assert reservation.seats == ("A-1", "A-2") and reservation.expire_time is not None
    assert await sandbox.seats() == {"A-1": False, "A-2": False, "A-3": True}
    assert await kassir.status("order-1") == "reserved"
    await kassir.confirm("order-1")
    await kassir.confirm("order-1")  # the same answer again
    assert await kassir.status("order-1") == "confirmed"
    assert await kassir.status("never") == "unknown"
    await kassir.close()


async def test_a_repeated_reserve_is_the_same_reservation(sandbox: Sandbox) -> None:
    kassir = vendor(sandbox)
    await kassir.reserve("order-2", "slug", STANDING, standing(2), 900)
    await kassir.reserve("order-2", "slug", STANDING, standing(2), 900)
    assert await sandbox.available() == 8 and len(await sandbox.reservations(STANDING)) == 1
    await kassir.close()


async def test_release_frees_and_fences(sandbox: Sandbox) -> None:
    kassir = vendor(sandbox)
    await kassir.reserve("order-3", "slug", STANDING, standing(4), 900)
    await kassir.release("order-3")
    await kassir.release("order-3")
    assert await sandbox.available() == 10 and await kassir.status("order-3") == "released"
    # Released before its reserve arrived (a stalled request): the late reserve is refused.
    await kassir.release("order-4")
    with pytest.raises(VendorUnavailable):
        await kassir.reserve("order-4", "slug", STANDING, standing(1), 900)
    assert await sandbox.available() == 10
    await kassir.close()


async def test_taken_seats_are_a_conflict_and_hold_nothing(sandbox: Sandbox) -> None:
    kassir = vendor(sandbox)
    await kassir.reserve("order-5", "slug", SESSION, seats("A-1"), 900)
    with pytest.raises(Conflict) as taken:
        await kassir.reserve("order-6", "slug", SESSION, seats("A-1", "A-2"), 900)
    assert taken.value.reason == "SEAT_TAKEN" and (await sandbox.seats())["A-2"] is True
    await sandbox.fault(method="reservations.create", mode="taken", match={"sessionId": SESSION})
    with pytest.raises(Conflict):
        await kassir.reserve("order-7", "slug", SESSION, seats("A-3"), 900)
    assert [r["channel"] for r in await sandbox.reservations()] == ["partner", "box office"]
    assert await kassir.status("order-7") == "unknown"
    await kassir.close()


async def test_the_api_key_is_checked(sandbox: Sandbox) -> None:
    kassir = vendor(sandbox, key="wrong")
    with pytest.raises(VendorUnavailable) as refused:
        await kassir.reserve("order-8", "slug", STANDING, standing(1), 900)
    assert refused.value.reason == "VENDOR_REFUSED" and await sandbox.available() == 10
    await kassir.close()


async def test_reserve_is_retried_through_a_5xx_and_a_stall_times_out(sandbox: Sandbox) -> None:
    kassir = vendor(sandbox)
    await sandbox.fault(method="reservations.create", mode="error", times=2, match={"sessionId": STANDING})
    await kassir.reserve("order-9", "slug", STANDING, standing(1), 900)  # safe to repeat: keyed by our id
    assert await sandbox.available() == 9
    await sandbox.fault(method="reservations.create", mode="stall", seconds=1.5, times=3,
                        match={"sessionId": STANDING})
    started = time.monotonic()
    with pytest.raises(VendorTimeout):
        await kassir.reserve("order-10", "slug", STANDING, standing(1), 900)
    assert time.monotonic() - started < 2.5
    await kassir.release("order-10")  # what the use case does after a failed reserve
    await asyncio.sleep(1.6)  # the stalled requests arrive: fenced, nothing held
    assert await sandbox.available() == 9
    await kassir.close()


async def test_a_confirm_timeout_leaves_the_answer_to_status(sandbox: Sandbox) -> None:
    kassir = vendor(sandbox)
    await kassir.reserve("order-11", "slug", STANDING, standing(1), 900)
    await sandbox.fault(method="reservations.confirm", mode="stall", seconds=0.8, match={"reservationId": "order-11"})
    with pytest.raises(TimeoutError):
        await kassir.confirm("order-11")
    deadline = time.monotonic() + 3
    while await kassir.status("order-11") != "confirmed":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    await kassir.close()


async def test_a_lost_reservation_cannot_be_confirmed(sandbox: Sandbox) -> None:
    kassir = vendor(sandbox)
    await kassir.reserve("order-12", "slug", STANDING, standing(1), 900)
    await sandbox.fault(method="reservations.confirm", mode="lose", match={"reservationId": "order-12"})
    with pytest.raises(ReservationLost):
        await kassir.confirm("order-12")
    assert await kassir.status("order-12") == "released" and await sandbox.available() == 10
    await kassir.close()


async def test_the_breaker_opens_and_answers_fast(sandbox: Sandbox) -> None:
    kassir = vendor(sandbox, threshold=3)
    await sandbox.fault(method="reservations.get", mode="error", times=3, match={"reservationId": "x"})
    await kassir.reserve("x", "slug", STANDING, standing(1), 900)
    with pytest.raises(VendorUnavailable):
        await kassir.status("x")  # three attempts, three failures: the circuit opens
    started = time.monotonic()
    with pytest.raises(VendorUnavailable) as fast:
        await kassir.reserve("order-13", "slug", STANDING, standing(1), 900)
    assert fast.value.reason == "VENDOR_CIRCUIT_OPEN" and time.monotonic() - started < 0.1
    await kassir.close()


async def test_latency_below_our_timeout_only_slows_the_call(sandbox: Sandbox) -> None:
    kassir = vendor(sandbox)
    await sandbox.fault(method="reservations.confirm", mode="latency", seconds=0.3, match={"reservationId": "o-14"})
    await kassir.reserve("o-14", "slug", STANDING, standing(1), 900)
    started = time.monotonic()
    await kassir.confirm("o-14")
    assert time.monotonic() - started >= 0.3 and await kassir.status("o-14") == "confirmed"
    await kassir.close()
