"""The local platform: ports, processes, databases. One place to read or change them.

Default ports sit away from the usual ones (5432, 6379, 9092, 9000...) so that a
developer's own servers keep running beside ours; KGO_PORT_OFFSET shifts them all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kgo.paths import DEV_CERTIFICATE, DEV_CERTIFICATE_KEY, SECRETS

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
KAFKA_TOPICS = ("user.signed_up", "user.updated", "event.published", "payment.succeeded", "payment.failed",
                "payment.refunded", "user.action", "tour.published", "ticket.paid", "ticket.expired",
                "ticket.refunded", "badge.earned", "campaign.trigger", "ugc.created", "ugc.deleted")


@dataclass(frozen=True)
class HttpRoute:
    """A path a service serves from its own HTTP/1.1 server (`Service.http_port`) rather
    than by gRPC: a WebSocket stream, a redirect. The gateway proxies it as it is (no
    transcoding) and requires a user's access token on it, from the Authorization header,
    the `token` query parameter or the WebSocket subprotocols `kulturago.bearer, <token>`;
    the service verifies the token again."""

    path_regex: str  # the whole path, without the query string
    websocket: bool = False


@dataclass(frozen=True)
class Service:
    """A Python gRPC service of ours, run as `python -m services.<name>`."""

    name: str
    grpc_port: int
    metrics_port: int
    database: str | None = None  # one database per service
    grpc_services: tuple[str, ...] = ()  # full names Envoy routes to this service
    env: dict[str, str] = field(default_factory=dict)
    # Outside providers it calls: it gets KGO_<PROVIDER>_BASE_URL (the sandbox's, locally)
    # and the provider's credentials (see Sandbox).
    providers: tuple[str, ...] = ()
    # Its own HTTP server (KGO_HTTP_PORT) and the paths the gateway routes to it.
    http_port: int | None = None
    http_routes: tuple[HttpRoute, ...] = ()


SERVICES: tuple[Service, ...] = (
    Service("auth", port(17010), port(17110), database="auth",
            grpc_services=("kulturago.auth.v1.AuthService", "kulturago.auth.v1.ProfileService")),
    Service("event", port(17020), port(17120), database="event",
            grpc_services=("kulturago.event.v1.EventService",)),
    Service("search", port(17030), port(17130), database="search",
            grpc_services=("kulturago.search.v1.SearchService",)),
    Service("geo", port(17040), port(17140), database="geo",
            grpc_services=("kulturago.geo.v1.GeoService",)),
    Service("payment", port(17060), port(17160), database="payment",
            grpc_services=("kulturago.payment.v1.PaymentService",), providers=("cloudpayments",),
            env={"KGO_TICKETING_ADDRESS": f"127.0.0.1:{port(17050)}"}),
    Service("ticketing", port(17050), port(17150), database="ticketing",
            grpc_services=("kulturago.ticketing.v1.TicketingService",), providers=("ticketscloud", "kassir"),
            env={"KGO_TICKET_SIGNING_KEY_FILE": str(SECRETS / "ticket-signing-key.pem"),
                 "KGO_PAYMENT_ADDRESS": f"127.0.0.1:{port(17060)}"}),
    # E-mail, push and the in-app inbox; consumes user.*, ticket.*, payment.failed, badge.earned,
    # campaign.trigger (kafka_handlers.py).
    Service("notification", port(17070), port(17170), database="notification",
            grpc_services=("kulturago.notification.v1.NotificationService",), providers=("smtp", "fcm", "apns")),
    # 17095: between echo (17090) and the metrics ports (+100); 17070/17080 are notification's and gid's.
    Service("recommendation", port(17095), port(17195), database="recommendation",
            grpc_services=("kulturago.recommendation.v1.RecommendationService",)),
    # Audio tours: gRPC, and its HTTP server for the live tour (WebSocket) and offline bundles.
    Service("gid", port(17080), port(17180), database="gid",
            grpc_services=("kulturago.gid.v1.TourService", "kulturago.gid.v1.SpeechService"),
            http_port=port(17280),
            http_routes=(HttpRoute(r"/ws/tour/[^/]+", websocket=True), HttpRoute(r"/api/v1/tours/[^/]+/bundle")),
            env={"KGO_GEO_ADDRESS": f"127.0.0.1:{port(17040)}"}),
    # Reviews with ratings and photos (moderated by Cloud Vision SafeSearch); consumes
    # event.published and ticket.paid (who may review), publishes ugc.created/ugc.deleted.
    Service("ugc", port(17075), port(17175), database="ugc",
            grpc_services=("kulturago.ugc.v1.UgcService",), providers=("vision",)),
    # XP, levels, badges, leaderboards (Redis sorted sets); consumes user.action, ticket.paid,
    # event.published, user.signed_up/updated, publishes badge.earned.
    Service("gamification", port(17085), port(17185), database="gamification",
            grpc_services=("kulturago.gamification.v1.GamificationService",)),
    Service("echo", port(17090), port(17190),
            grpc_services=("kulturago.bench.v1.EchoService",)),
)


# A service joins the platform once its package has an entry point, so a half-built
# one on a developer's branch does not stop `kgo up`.
SERVICES = tuple(s for s in SERVICES if (Path(__file__).parent.parent / "services" / s.name / "__main__.py").exists())


@dataclass(frozen=True)
class Sandbox:
    """A stand-in for an outside provider (sandboxes/<name>, run as `python -m
    sandboxes.<name>`), speaking its protocol on `port`. Its `credentials` are generated
    secrets (.dev/secrets/<name>-<key>) that it and the services naming it in
    `providers` both get, as KGO_<NAME>_<KEY>; a key ending in `_file` is a generated key
    file (kgo/provision.py `sandbox_file`: a service account, an APNs .p8) and is passed
    as its path. It also gets KGO_<NAME>_SANDBOX_PORT and KGO_<NAME>_SANDBOX_STATE (a file
    under .dev/state); `env` is its own, `shared_env` goes to it and to those services
    (a second port, say). With `tls` it serves HTTPS (HTTP/2 by ALPN) on `port` with the
    dev certificate (KGO_<NAME>_SANDBOX_TLS_CERT/_KEY), and the services get the
    certificate to trust as KGO_<NAME>_CA_FILE."""

    name: str
    port: int
    credentials: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    shared_env: dict[str, str] = field(default_factory=dict)
    tls: bool = False

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def env_name(self, key: str) -> str:
        return f"KGO_{self.name.upper()}_{key.upper()}"


SANDBOXES: tuple[Sandbox, ...] = (
    Sandbox("cloudpayments", port(17560), credentials=("public_id", "api_secret"), env={
        # Its notifications go to our callback through the gateway, as CloudPayments' would.
        "KGO_CLOUDPAYMENTS_NOTIFY_URL": f"http://127.0.0.1:{GATEWAY_HTTP_PORT}/api/v1/payments/callback/cloudpayments"}),
    # Ticket vendors: each with its own seat inventory (seeded from the demo city).
    Sandbox("ticketscloud", port(17570), credentials=("api_key",)),
    Sandbox("kassir", port(17580), credentials=("api_key",)),
    # Notification channels. The SMTP sink: SMTP (AUTH PLAIN/LOGIN, STARTTLS with the dev
    # certificate) on KGO_SMTP_PORT; `port` is its HTTP API, which `kgo mail` and tests read.
    Sandbox("smtp", port(17590), credentials=("username", "password"), env={
        "KGO_SMTP_SANDBOX_TLS_CERT": str(DEV_CERTIFICATE), "KGO_SMTP_SANDBOX_TLS_KEY": str(DEV_CERTIFICATE_KEY)},
        shared_env={"KGO_SMTP_HOST": "127.0.0.1", "KGO_SMTP_PORT": str(port(17591)),
                    "KGO_SMTP_CA_FILE": str(DEV_CERTIFICATE)}),
    # FCM HTTP v1: the OAuth2 token endpoint (the service account's token_uri) and messages:send.
    Sandbox("fcm", port(17592), credentials=("service_account_file",)),
    # APNs: HTTP/2 over TLS only, like Apple's; provider tokens (ES256) signed with the .p8 key.
    Sandbox("apns", port(17593), credentials=("auth_key_file", "key_id", "team_id"), tls=True,
            shared_env={"KGO_APNS_TOPIC": "ru.kulturago.app"}),
    # Google Cloud Vision images:annotate (SAFE_SEARCH_DETECTION), checking the API key;
    # deterministic verdicts by the image's top-left pixel (sandboxes/vision/app.py).
    Sandbox("vision", port(17594), credentials=("api_key",)),
)
SANDBOXES = tuple(s for s in SANDBOXES
                  if (Path(__file__).parent.parent / "sandboxes" / s.name / "__main__.py").exists())


def sandbox(name: str) -> Sandbox:
    for box in SANDBOXES:
        if box.name == name:
            return box
    raise KeyError(name)


def service(name: str) -> Service:
    for svc in SERVICES:
        if svc.name == name:
            return svc
    raise KeyError(name)


def redis_url(password: str, database: int = 0) -> str:
    return f"redis://:{password}@127.0.0.1:{REDIS_PORT}/{database}"


def database_url(database: str, password: str) -> str:
    return f"postgresql://{POSTGRES_USER}:{password}@127.0.0.1:{POSTGRES_PORT}/{database}"
