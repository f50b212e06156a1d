"""Supervised background work: relays, consumers and listeners that run for the life of
a service.

A background task that raises must not die silently. Each worker runs under one
supervisor: a failure is logged with its traceback, counted, and the worker restarts
after a capped exponential backoff. While a *required* worker is down the service
reports NOT_SERVING on gRPC health (Envoy and Kubernetes then see it), and SERVING
again once the worker says it is healthy (`worker_healthy()`) or has run for
`settle_seconds` without failing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

from prometheus_client import Counter, Gauge

from services.runtime.logging import get_logger

log = get_logger(__name__)

RESTARTS = Counter("worker_restarts_total", "Background worker failures followed by a restart", ["worker"])
UP = Gauge("worker_up", "1 while a background worker runs healthily", ["worker"])

WorkerFn = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Worker:
    """A long-running coroutine of a service. `required`: the service is not healthy without it."""

    name: str
    run: WorkerFn
    required: bool = True

    @classmethod
    def of(cls, fn: WorkerFn | Worker, *, required: bool = True) -> Worker:
        if isinstance(fn, Worker):
            return fn
        return cls(getattr(fn, "__qualname__", "worker"), fn, required)


@dataclass(frozen=True)
class Backoff:
    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0

    def delay(self, failures: int) -> float:
        return min(self.maximum, self.initial * self.factor ** max(0, failures - 1))


@dataclass
class _State:
    worker: Worker
    healthy: bool = False
    failures: int = 0  # consecutive, reset once healthy
    became_healthy: Callable[[], None] = field(default=lambda: None)

    def mark_healthy(self) -> None:
        if not self.healthy:
            self.healthy = True
            self.failures = 0
            UP.labels(self.worker.name).set(1)
            self.became_healthy()


_current: ContextVar[_State | None] = ContextVar("supervised_worker", default=None)


def worker_healthy() -> None:
    """Called by a worker when it has shown it works (a message handled, caught up, ...).

    Cheap enough for every loop iteration; a no-op outside a supervised worker."""
    state = _current.get()
    if state is not None and not state.healthy:
        state.mark_healthy()


HealthSink = Callable[[bool], Awaitable[None]]


class Supervisor:
    def __init__(self, workers: Sequence[Worker], on_health: HealthSink, *, backoff: Backoff | None = None,
                 settle_seconds: float = 5.0) -> None:
        self._states = [_State(w) for w in workers]
        self._on_health = on_health
        self._backoff = backoff or Backoff()
        self._settle = settle_seconds
        self._changed = asyncio.Event()
        self._reported: bool | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def healthy(self) -> bool:
        return all(s.healthy for s in self._states if s.worker.required)

    def start(self) -> None:
        for state in self._states:
            state.became_healthy = self._changed.set
            self._tasks.append(asyncio.create_task(self._supervise(state), name=f"worker:{state.worker.name}"))
        self._tasks.append(asyncio.create_task(self._report_health(), name="worker-health"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _report_health(self) -> None:
        while True:
            healthy = self.healthy
            if healthy != self._reported:
                self._reported = healthy
                await self._on_health(healthy)
            self._changed.clear()
            await self._changed.wait()

    async def _settle_then_healthy(self, state: _State) -> None:
        await asyncio.sleep(self._settle)
        state.mark_healthy()

    async def _supervise(self, state: _State) -> None:
        worker = state.worker
        _current.set(state)  # this task's context: worker_healthy() finds its state
        while True:
            settle = asyncio.create_task(self._settle_then_healthy(state))
            try:
                await worker.run()
                raise RuntimeError("worker returned; workers run until cancelled")
            except asyncio.CancelledError:
                raise
            except Exception:
                state.failures += 1
                state.healthy = False
                UP.labels(worker.name).set(0)
                RESTARTS.labels(worker.name).inc()
                self._changed.set()
                delay = self._backoff.delay(state.failures)
                log.exception("worker failed; restarting", worker=worker.name, failures=state.failures,
                              restart_in=delay, required=worker.required)
            finally:
                settle.cancel()
            await asyncio.sleep(delay)
