"""The local platform: ports, processes, databases. One place to read or change them.

Default ports sit away from the usual ones (5432, 6379, 9092, 9000...) so that a
developer's own servers keep running beside ours; KGO_PORT_OFFSET shifts them all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PORT_OFFSET = int(os.environ.get("KGO_PORT_OFFSET", "0"))


def port(base: int) -> int:
    return base + PORT_OFFSET


POSTGRES_PORT = port(15432)
REDIS_PORT = port(16379)
KAFKA_PORT = port(19092)
KAFKA_CONTROLLER_PORT = port(19093)
S3_PORT = port(18333)
SEAWEED_MASTER_PORT = port(19333)
SEAWEED_VOLUME_PORT = port(18081)
SEAWEED_FILER_PORT = port(18888)
GATEWAY_HTTP_PORT = int(os.environ.get("KGO_GATEWAY_PORT", "8080"))
GATEWAY_HTTPS_PORT = int(os.environ.get("KGO_GATEWAY_TLS_PORT", "8443"))
ENVOY_ADMIN_PORT = port(19901)
SUPERVISOR_PORT = port(19001)

POSTGRES_USER = "kgo"
S3_BUCKET = "kulturago"
KAFKA_TOPICS = ("user.signed_up", "user.updated", "event.published")


@dataclass(frozen=True)
class Service:
    """A Python gRPC service of ours, run as `python -m services.<name>`."""

    name: str
    grpc_port: int
    metrics_port: int
    database: str | None = None  # one database per service
    grpc_services: tuple[str, ...] = ()  # full names Envoy routes to this service
    env: dict[str, str] = field(default_factory=dict)


SERVICES: tuple[Service, ...] = (
    Service("auth", port(17010), port(17110), database="auth",
            grpc_services=("kulturago.auth.v1.AuthService", "kulturago.auth.v1.ProfileService")),
    Service("event", port(17020), port(17120), database="event",
            grpc_services=("kulturago.event.v1.EventService",)),
    Service("search", port(17030), port(17130), database="search",
            grpc_services=("kulturago.search.v1.SearchService",)),
    Service("geo", port(17040), port(17140), database="geo",
            grpc_services=("kulturago.geo.v1.GeoService",)),
    Service("echo", port(17090), port(17190),
            grpc_services=("kulturago.bench.v1.EchoService",)),
)


# A service joins the platform once its package has an entry point, so a half-built
# one on a developer's branch does not stop `kgo up`.
SERVICES = tuple(s for s in SERVICES if (Path(__file__).parent.parent / "services" / s.name / "__main__.py").exists())


def service(name: str) -> Service:
    for svc in SERVICES:
        if svc.name == name:
            return svc
    raise KeyError(name)


def redis_url(password: str, database: int = 0) -> str:
    return f"redis://:{password}@127.0.0.1:{REDIS_PORT}/{database}"


def database_url(database: str, password: str) -> str:
    return f"postgresql://{POSTGRES_USER}:{password}@127.0.0.1:{POSTGRES_PORT}/{database}"
