"""grpc.aio server factory (`create_server`) and lifecycle (`serve`): health,
reflection, interceptors, background workers, graceful SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.runtime.cache import open_redis
from services.runtime.logging import configure_logging, get_logger
from services.runtime.rpc.access import AccessMiddleware, AccessPolicy, trust_gateway
from services.runtime.rpc.errors import ErrorMiddleware
from services.runtime.rpc.field_behavior import OutputOnlyMiddleware
from services.runtime.rpc.observability import ObservabilityMiddleware, serve_metrics
from services.runtime.rpc.pipeline import Middleware, PipelineInterceptor
from services.runtime.rpc.validation import ValidationMiddleware
from services.runtime.sessions import LiveSessions
from services.runtime.settings import ServiceSettings
from services.runtime.supervision import Backoff, Supervisor, Worker, WorkerFn
from services.runtime.telemetry import configure_telemetry
from services.runtime.tokens import TokenVerifier

log = get_logger(__name__)

Register = Callable[[grpc.aio.Server], None]
LIVENESS = "liveness"  # gRPC health service name of the liveness probe


@dataclass
class ServiceApp:
    """What a service's bootstrap hands to `serve`."""

    settings: ServiceSettings
    error_domain: str  # ErrorInfo.domain, e.g. "auth.kulturago.ru"
    service_names: Sequence[str]  # full gRPC service names, for health and reflection
    register: Register
    policy: AccessPolicy = field(default_factory=AccessPolicy)
    startup: Sequence[Callable[[], Awaitable[None]]] = ()
    # Long-running: relays, consumers, listeners; supervised (restarted, reflected in health).
    # A bare coroutine function is a required worker named after itself.
    workers: Sequence[Worker | WorkerFn] = ()
    shutdown: Sequence[Callable[[], Awaitable[None]]] = ()
    # Told each change of readiness (True: SERVING), as gRPC health is: for a service that
    # also answers readiness itself (notification-service's GET /healthz).
    health_listeners: Sequence[Callable[[bool], None]] = ()


def default_middlewares(app: ServiceApp) -> list[Middleware]:
    s = app.settings
    trust_gateway(s.gateway_secret)
    verifier = TokenVerifier.from_file(s.jwks_file, issuer=s.jwt_issuer, audience=s.jwt_audience)
    # Only services with privileged methods talk to Redis for the session check.
    sessions = LiveSessions(open_redis(s.redis_url)) if app.policy.admin else None
    return [
        ObservabilityMiddleware(),
        ErrorMiddleware(app.error_domain),
        AccessMiddleware(verifier, app.policy, s.internal_cidrs, sessions),
        OutputOnlyMiddleware(),  # before validation: ignored values must not fail a request
        ValidationMiddleware(),
    ]


MAX_METADATA = 128 * 1024  # bytes of request metadata a service accepts (see create_server)


def create_server(app: ServiceApp, middlewares: Sequence[Middleware] | None = None
                  ) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    server = grpc.aio.server(
        interceptors=[PipelineInterceptor(middlewares if middlewares is not None else default_middlewares(app))],
        options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", 8 * 1024 * 1024),
                 # grpc's own limits (8 KiB soft, 16 KiB hard) are below what the gateway lets
                 # through: its 60 KiB of request headers, plus the REST path (query string
                 # included) it forwards as x-envoy-original-path. A long query or header
                 # would get grpc's RESOURCE_EXHAUSTED, a 429 "too many requests", before any
                 # validation could say what is wrong; the gateway's own 431 bounds it instead.
                 ("grpc.max_metadata_size", MAX_METADATA), ("grpc.absolute_max_metadata_size", MAX_METADATA)],
    )
    app.register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    if app.settings.grpc_reflection:
        reflection.enable_server_reflection(
            [*app.service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
        )
    server.add_insecure_port(f"{app.settings.grpc_host}:{app.settings.grpc_port}")
    return server, health_servicer


async def _set_health(servicer: health.aio.HealthServicer, names: Sequence[str], status: int) -> None:
    for name in ["", *names]:
        await servicer.set(name, status)


def run(build: Callable[[], Awaitable[ServiceApp]]) -> None:
    """Entry point of every service's __main__: build the app and serve it on uvloop
    (a faster event loop than asyncio's; grpc.aio and psycopg run on it unchanged)."""
    import uvloop

    async def main() -> None:
        await serve(await build())

    uvloop.run(main())


async def serve(app: ServiceApp, middlewares: Sequence[Middleware] | None = None) -> None:
    s = app.settings
    configure_logging(s.service_name, s.log_level)
    configure_telemetry(s.service_name, s.otlp_endpoint, s.trace_sample_ratio)
    serve_metrics(s.metrics_port)
    for hook in app.startup:
        await hook()
    server, health_servicer = create_server(app, middlewares)
    await server.start()

    async def report(healthy: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if healthy else health_pb2.HealthCheckResponse.NOT_SERVING
        await _set_health(health_servicer, app.service_names, status)
        for listener in app.health_listeners:
            listener(healthy)
        log.info("health", serving=healthy)

    # Liveness is the process answering at all; readiness ("" and the service names) also
    # needs the required workers. A pod whose database is down is unready, not restarted.
    await health_servicer.set(LIVENESS, health_pb2.HealthCheckResponse.SERVING)
    supervisor = Supervisor([Worker.of(w) for w in app.workers], report,
                            backoff=Backoff(maximum=s.worker_restart_max_seconds))
    supervisor.start()
    log.info("serving", port=s.grpc_port, services=list(app.service_names))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()

    log.info("shutting down", grace=s.shutdown_grace_seconds)
    # Workers first (their health reports stop with them), then NOT_SERVING so Envoy
    # drains us, then let in-flight RPCs finish. Unpublished outbox rows wait for the next relay.
    await supervisor.stop()
    await _set_health(health_servicer, app.service_names, health_pb2.HealthCheckResponse.NOT_SERVING)
    await server.stop(s.shutdown_grace_seconds)
    for hook in app.shutdown:
        await hook()
    log.info("stopped")
