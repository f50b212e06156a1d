"""Plain HTTP paths of services' own servers on the gateway (`topology.HttpRoute`): the
live tour's WebSocket (`/ws/tour/{id}`) and the offline bundle's redirect.

Each gets a route straight to the service's HTTP/1.1 cluster (`<service>-http`), past
the transcoder and the body buffer (a WebSocket's body is the stream itself), with
WebSocket upgrades allowed where the route says so and no route timeout (a tour lasts
hours; a silent connection is closed after `IDLE_TIMEOUT`). jwt_authn requires a
user's access token on them, from a provider of their own that also reads it where a
browser can put it: the `token` query parameter, or the WebSocket subprotocols
`kulturago.bearer, <token>` (the service answers with the first one). The service
verifies the token again. RBAC's rules name gRPC paths only and do not apply here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kgo.topology import Service

TYPE = "@type"
PROVIDER = "kulturago_http"
SUBPROTOCOL = "kulturago.bearer"
IDLE_TIMEOUT = "300s"  # the service pings every 30 s; a connection silent this long is gone
_OFF = {TYPE: "type.googleapis.com/envoy.config.route.v3.FilterConfig", "disabled": True}


def cluster_name(svc: Service) -> str:
    return f"{svc.name}-http"


def routes(services: Sequence[Service]) -> list[dict[str, Any]]:
    found = []
    for svc in services:
        for route in svc.http_routes:
            action: dict[str, Any] = {"cluster": cluster_name(svc), "timeout": "0s", "idle_timeout": IDLE_TIMEOUT}
            if route.websocket:
                action["upgrade_configs"] = [{"upgrade_type": "websocket"}]
            found.append({
                "match": {"safe_regex": {"regex": route.path_regex},
                          "headers": [{"name": ":method", "string_match": {"exact": "GET"}}]},
                "route": action,
                "typed_per_filter_config": {"envoy.filters.http.grpc_json_transcoder": _OFF,
                                            "envoy.filters.http.buffer": _OFF},
            })
    return found


def jwt_rules(services: Sequence[Service]) -> list[dict[str, Any]]:
    """Before the gRPC paths' rules (first match wins)."""
    return [{"match": {"safe_regex": {"regex": route.path_regex}}, "requires": {"provider_name": PROVIDER}}
            for svc in services for route in svc.http_routes]


def jwt_provider(main: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The main provider's settings, plus the places browsers can put a token."""
    return {PROVIDER: {
        **main,
        "from_headers": [*main["from_headers"], {"name": "Sec-WebSocket-Protocol", "value_prefix": SUBPROTOCOL}],
        "from_params": ["token"],
    }}


def clusters(services: Sequence[Service], upstream_host: str | None) -> list[dict[str, Any]]:
    found = []
    for svc in services:
        if svc.http_port is None or not svc.http_routes:
            continue
        host = upstream_host.format(name=svc.name) if upstream_host else "127.0.0.1"
        found.append({
            "name": cluster_name(svc),
            "type": "STRICT_DNS" if upstream_host else "STATIC",
            "connect_timeout": "1s",
            "lb_policy": "ROUND_ROBIN",
            "load_assignment": {"cluster_name": cluster_name(svc), "endpoints": [{"lb_endpoints": [{"endpoint": {
                "address": {"socket_address": {"address": host, "port_value": svc.http_port}}}}]}]},
            "health_checks": [{"timeout": "1s", "interval": "2s", "no_traffic_interval": "2s",
                               "unhealthy_threshold": 2, "healthy_threshold": 1,
                               "http_health_check": {"path": "/healthz"}}],
        })
    return found
