"""search-service: the worker that keeps each document's next session in step with the clock."""

from __future__ import annotations

import asyncio

import pytest

from services.search.service_layer.refreshing import refresh_forever


class FlakyIndex:
    def __init__(self, outcomes: list[int | Exception]) -> None:
        self.outcomes = outcomes
        self.calls = 0

    async def refresh_next_sessions(self) -> int:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


async def test_refreshes_every_interval_and_survives_a_failed_round() -> None:
    index = FlakyIndex([3, RuntimeError("deadlock detected"), 0, 5])
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 4:
            raise asyncio.CancelledError  # stop the worker as the service would

    with pytest.raises(asyncio.CancelledError):
        await refresh_forever(index, every=7.0, sleep=sleep)
    assert index.calls == 4 and pauses == [7.0] * 4
