"""Fault injection shared by the providers' sandboxes: a queue of faults per API method,
each optionally scoped to requests whose parameters match (so tests sharing a sandbox do
not consume each other's), added and cleared through the sandbox's control API:

    POST   /sandbox/faults {"method", "mode", "times": 1, "seconds", "status", "message",
                            "match": {<param>: <value>}}
    DELETE /sandbox/faults

What a mode does is the sandbox's business (each documents its modes).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

log = logging.getLogger("sandbox.faults")


@dataclass
class Fault:
    mode: str
    seconds: float = 30.0
    status: int = 503  # for modes answering an HTTP error
    message: str = "Refused by the sandbox (fault injection)"  # for modes answering a refusal
    match: dict[str, str] = field(default_factory=dict)

    def applies(self, params: dict[str, Any]) -> bool:
        return all(str(params.get(key, "")) == value for key, value in self.match.items())


class FaultQueues:
    """The queues themselves, apart from any web framework (the APNs sandbox is ASGI)."""

    def __init__(self, methods: Sequence[str], modes: Sequence[str],
                 default_seconds: dict[str, float] | None = None) -> None:
        self.methods, self.modes = tuple(methods), tuple(modes)
        self._defaults = default_seconds or {}
        self._queues: dict[str, deque[Fault]] = {}

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        """The first queued fault of `method` that applies to this request, removed from the queue."""
        queue = self._queues.get(method, deque())
        fault = next((f for f in queue if f.applies(params)), None)
        if fault is not None:
            queue.remove(fault)
            log.warning("fault injected on %s: %s %s", method, fault.mode, params)
        return fault

    def add(self, body: Any) -> tuple[int, dict[str, Any]]:
        """Queue what a POST /sandbox/faults body asks for: (HTTP status, JSON reply)."""
        body = body if isinstance(body, dict) else {}
        method, mode = body.get("method"), body.get("mode")
        if method not in self.methods or mode not in self.modes:
            return 400, {"error": f"method in {self.methods}, mode in {self.modes}"}
        fault = Fault(mode, float(body.get("seconds", self._defaults.get(mode, 0.0))), int(body.get("status", 503)),
                      str(body.get("message") or Fault.message),
                      {str(k): str(v) for k, v in (body.get("match") or {}).items()})
        queue = self._queues.setdefault(method, deque())
        queue.extend([fault] * int(body.get("times", 1)))
        return 200, {"method": method, "queued": len(queue)}

    def clear(self) -> None:
        self._queues.clear()


FAULTS = web.AppKey("faults", FaultQueues)


def take(app: web.Application, method: str, params: dict[str, Any]) -> Fault | None:
    """The first queued fault of `method` that applies to this request, removed from the queue."""
    return app[FAULTS].take(method, params)


def install(app: web.Application, methods: Sequence[str], modes: Sequence[str],
            default_seconds: dict[str, float] | None = None) -> None:
    """The fault queues and the control routes of a sandbox whose API has `methods`;
    `default_seconds`: a mode's wait when the fault does not say (others: none)."""
    app[FAULTS] = FaultQueues(methods, modes, default_seconds)

    async def add(request: web.Request) -> web.Response:
        status, reply = request.app[FAULTS].add(await request.json())
        return web.json_response(reply, status=status)

    async def clear(request: web.Request) -> web.Response:
        request.app[FAULTS].clear()
        return web.json_response({"cleared": True})

    app.router.add_post("/sandbox/faults", add)
    app.router.add_delete("/sandbox/faults", clear)
