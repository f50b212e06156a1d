"""Prometheus metrics middleware and the /metrics HTTP endpoint."""

from __future__ import annotations

import time
from typing import Any

import grpc
from prometheus_client import Counter, Histogram, start_http_server

from services.runtime.rpc.pipeline import Handler

HANDLED = Counter("grpc_server_handled_total", "RPCs completed", ["grpc_method", "grpc_code"])
LATENCY = Histogram(
    "grpc_server_handling_seconds", "RPC latency", ["grpc_method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


def serve_metrics(port: int) -> None:
    if port:
        start_http_server(port, addr="127.0.0.1")


class MetricsMiddleware:
    async def __call__(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                       call_next: Handler) -> Any:
        started = time.perf_counter()
        code = "OK"
        try:
            return await call_next(request, context)
        except BaseException:
            status = context.code()
            code = status.name if isinstance(status, grpc.StatusCode) else "UNKNOWN"
            raise
        finally:
            LATENCY.labels(method).observe(time.perf_counter() - started)
            HANDLED.labels(method, code).inc()
