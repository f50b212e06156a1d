"""services/runtime/supervision.py: failed workers restart with capped backoff and
drive the service's health; optional ones never do."""

from __future__ import annotations

import asyncio

import pytest

from services.runtime.supervision import RESTARTS, Backoff, Supervisor, Worker, worker_healthy

FAST = Backoff(initial=0.01, maximum=0.04)


def test_backoff_grows_and_is_capped() -> None:
    backoff = Backoff(initial=0.5, maximum=30.0)
    assert [backoff.delay(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert backoff.delay(20) == 30.0


async def _until(condition: object, seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # type: ignore[operator]  # noqa: ASYNC110 - state changes in other tasks
            await asyncio.sleep(0.005)


async def test_a_failing_required_worker_is_restarted_and_drives_health() -> None:
    runs: list[int] = []
    reports: list[bool] = []

    async def flaky() -> None:
        runs.append(len(runs))
        if len(runs) <= 3:
            raise RuntimeError("dependency down")
        worker_healthy()
        await asyncio.Event().wait()

    async def report(healthy: bool) -> None:
        reports.append(healthy)

    before = RESTARTS.labels("flaky")._value.get()
    supervisor = Supervisor([Worker("flaky", flaky)], report, backoff=FAST, settle_seconds=60)
    supervisor.start()
    try:
        await _until(lambda: reports[-1:] == [True])
    finally:
        await supervisor.stop()
    assert len(runs) == 4
    assert RESTARTS.labels("flaky")._value.get() == before + 3
    assert reports == [False, True]  # unhealthy until it worked, reported once per change


async def test_a_worker_that_returns_is_restarted_too() -> None:
    runs: list[int] = []

    async def returns() -> None:
        runs.append(1)

    supervisor = Supervisor([Worker("returns", returns)], lambda healthy: asyncio.sleep(0), backoff=FAST)
    supervisor.start()
    try:
        await _until(lambda: len(runs) >= 3)
    finally:
        await supervisor.stop()


async def test_an_optional_worker_never_makes_the_service_unhealthy() -> None:
    reports: list[bool] = []

    async def broken() -> None:
        raise RuntimeError("cache feed down")

    async def report(healthy: bool) -> None:
        reports.append(healthy)

    supervisor = Supervisor([Worker("feed", broken, required=False)], report, backoff=FAST)
    supervisor.start()
    try:
        await _until(lambda: RESTARTS.labels("feed")._value.get() >= 3)
    finally:
        await supervisor.stop()
    assert reports == [True]


async def test_a_worker_that_never_reports_is_healthy_once_it_has_settled() -> None:
    reports: list[bool] = []

    async def quiet() -> None:
        await asyncio.Event().wait()

    async def report(healthy: bool) -> None:
        reports.append(healthy)

    supervisor = Supervisor([Worker("quiet", quiet)], report, backoff=FAST, settle_seconds=0.05)
    supervisor.start()
    try:
        await _until(lambda: reports[-1:] == [True])
    finally:
        await supervisor.stop()
    assert reports == [False, True]


@pytest.mark.parametrize("fn", [Worker("named", lambda: asyncio.sleep(0))])
def test_worker_of_keeps_a_worker(fn: Worker) -> None:
    assert Worker.of(fn) is fn
