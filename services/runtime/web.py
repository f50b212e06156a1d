"""A service's own HTTP server (aiohttp), for what gRPC transcoding cannot carry:
WebSocket streams, redirects. It runs as a supervised worker of the service, so the
service is not ready until it listens; on shutdown its open WebSockets are closed with
1001 (going away), which clients treat as "reconnect"."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any

from aiohttp import WSCloseCode, web

from services.runtime.supervision import WorkerFn, worker_healthy

_SOCKETS = web.AppKey("open_websockets", weakref.WeakSet[Any])


def track(request: web.Request, ws: web.WebSocketResponse) -> None:
    """Have `ws` closed with 1001 when the server stops."""
    request.app[_SOCKETS].add(ws)


async def _close_sockets(app: web.Application) -> None:
    sockets = app[_SOCKETS]
    for ws in list(sockets):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")


def web_worker(make_app: Callable[[], web.Application], host: str, port: int, *,
               shutdown_seconds: float = 5.0) -> WorkerFn:
    """The worker serving the app `make_app` builds (anew on each restart) on host:port."""

    async def run() -> None:
        app = make_app()
        app[_SOCKETS] = weakref.WeakSet()
        app.on_shutdown.append(_close_sockets)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=shutdown_seconds)
        await runner.setup()
        try:
            # A deep accept queue: hundreds of clients may connect at the same instant.
            await web.TCPSite(runner, host, port, reuse_address=True, backlog=2048).start()
            worker_healthy()
            await asyncio.Event().wait()  # until cancelled
        finally:
            await runner.cleanup()

    return run
