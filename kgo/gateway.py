"""The Envoy gateway config (rendered as JSON into .dev/run/envoy.json).

Public REST paths are transcoded to gRPC from envoy/descriptor.binpb; jwt_authn
verifies access tokens at the edge; /api/v1/auth/* is rate-limited; Envoy's own
replies are rendered as JSON like the services' errors are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kgo import paths, topology
from kgo.topology import Service
from services.runtime.rpc.access import CLIENT_IP_HEADER

TYPE = "@type"
_HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"

# REST paths that need an access token at the edge (the services check again).
PROTECTED: tuple[tuple[str, str | None], ...] = (
    ("/api/v1/me", None),
    ("/api/v1/profile", None),
    ("/api/v1/avatar/presign", None),
    ("/api/v1/auth/logout", None),
    ("/api/v1/events", "POST"),
)
# gRPC methods (paths after transcoding) that need the admin role AND an internal
# source network; the services check both again.
ADMIN_METHODS = ("/kulturago.event.v1.EventService/PublishEvent",)
# Full gRPC service names whose routes share the sign-in/sign-up rate limit.
RATE_LIMITED = ("kulturago.auth.v1.AuthService",)
# HTTP status -> google.rpc.Code, so Envoy's own errors look like the services' ones.
_GRPC_CODE = {400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 413: 3, 429: 8, 500: 13, 502: 14, 503: 14, 504: 4}


@dataclass(frozen=True)
class GatewayOptions:
    http_port: int = topology.GATEWAY_HTTP_PORT
    https_port: int | None = topology.GATEWAY_HTTPS_PORT
    admin_port: int = topology.ENVOY_ADMIN_PORT
    listen: str = "127.0.0.1"
    internal_cidrs: Sequence[str] = ("127.0.0.0/8", "::1/128")
    auth_burst: int = 100  # token bucket of /api/v1/auth/*
    auth_per_second: int = 50
    access_log: str = str(paths.LOGS / "envoy-access.log")
    services: Sequence[Service] = field(default_factory=lambda: topology.SERVICES)
    # Upstreams: 127.0.0.1:<port> locally; in Kubernetes "<service>:<port>" resolved by DNS.
    upstream_host: str | None = None  # None: 127.0.0.1 (STATIC); "{name}": DNS name template


def _cidr(cidr: str) -> dict[str, Any]:
    address, _, prefix = cidr.partition("/")
    return {"address_prefix": address, "prefix_len": int(prefix or (128 if ":" in address else 32))}


def _jwt_filter(jwks_file: str) -> dict[str, Any]:
    from services.runtime.settings import ServiceSettings

    s = ServiceSettings()
    rules: list[dict[str, Any]] = []
    for path, method in PROTECTED:
        match: dict[str, Any] = {"path": path}
        if method:
            match["headers"] = [{"name": ":method", "string_match": {"exact": method}}]
        rules.append({"match": match, "requires": {"provider_name": "kulturago"}})
    return {
        "name": "envoy.filters.http.jwt_authn",
        "typed_config": {
            TYPE: "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
            "providers": {"kulturago": {
                "issuer": s.jwt_issuer,
                # No `audiences` here: Envoy answers a wrong audience with 403, the contract
                # says 401; the services check aud (and everything else) again anyway.
                "local_jwks": {"filename": jwks_file},
                "forward": True,
                "from_headers": [{"name": "Authorization", "value_prefix": "Bearer "}],
                "payload_in_metadata": "jwt_payload",
                "clock_skew_seconds": 5,
                # Verified tokens are cached until they expire: a client repeats its token.
                "jwt_cache_config": {"jwt_cache_size": 10000},
            }},
            "rules": rules,
        },
    }


def _transcoder(services: Sequence[Service]) -> dict[str, Any]:
    return {
        "name": "envoy.filters.http.grpc_json_transcoder",
        "typed_config": {
            TYPE: "type.googleapis.com/envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder",
            "proto_descriptor": str(paths.DESCRIPTOR),
            "services": [name for svc in services for name in svc.grpc_services],
            "print_options": {"always_print_primitive_fields": True, "always_print_enums_as_ints": False,
                              "preserve_proto_field_names": False},
            "convert_grpc_status": True,
            "case_insensitive_enum_parsing": True,
            "request_validation_options": {"reject_unknown_method": True,
                                           "reject_unknown_query_parameters": True},
        },
    }


def _local_ratelimit_filter() -> dict[str, Any]:
    # Enabled per route (typed_per_filter_config); a no-op elsewhere.
    return {"name": "envoy.filters.http.local_ratelimit", "typed_config": {
        TYPE: "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
        "stat_prefix": "http_local_rate_limiter"}}


def _route_ratelimit(opts: GatewayOptions) -> dict[str, Any]:
    return {"envoy.filters.http.local_ratelimit": {
        TYPE: "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
        "stat_prefix": "auth_rate_limit",
        "token_bucket": {"max_tokens": opts.auth_burst, "tokens_per_fill": opts.auth_per_second,
                         "fill_interval": "1s"},
        "filter_enabled": {"default_value": {"numerator": 100, "denominator": "HUNDRED"},
                           "runtime_key": "auth_rate_limit_enabled"},
        "filter_enforced": {"default_value": {"numerator": 100, "denominator": "HUNDRED"},
                            "runtime_key": "auth_rate_limit_enforced"},
        "response_headers_to_add": [{"append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                                     "header": {"key": "x-ratelimit-limited", "value": "true"}}],
    }}


def _admin_rbac(opts: GatewayOptions) -> dict[str, Any]:
    internal = {"or_ids": {"ids": [{"direct_remote_ip": _cidr(c)} for c in opts.internal_cidrs]}}
    is_admin = {"metadata": {
        "filter": "envoy.filters.http.jwt_authn",
        "path": [{"key": "jwt_payload"}, {"key": "roles"}],
        "value": {"list_match": {"one_of": {"string_match": {"exact": "admin"}}}},
    }}
    return {"envoy.filters.http.rbac": {
        TYPE: "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute",
        "rbac": {"rules": {"action": "ALLOW", "policies": {"admin-from-internal-network": {
            "permissions": [{"any": True}],
            "principals": [{"and_ids": {"ids": [internal, is_admin]}}],
        }}}},
    }}


def _rbac_filter() -> dict[str, Any]:
    # No global rules: enforced only on routes with an RBACPerRoute (admin methods).
    return {"name": "envoy.filters.http.rbac", "typed_config": {
        TYPE: "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC"}}


def _routes(opts: GatewayOptions) -> list[dict[str, Any]]:
    routes: list[dict[str, Any]] = []
    by_service = {g: svc for svc in opts.services for g in svc.grpc_services}
    for method in ADMIN_METHODS:
        grpc_service = method.split("/")[1]
        if grpc_service in by_service:
            routes.append({"match": {"path": method},
                           "route": {"cluster": by_service[grpc_service].name, "timeout": "15s"},
                           "typed_per_filter_config": _admin_rbac(opts)})
    for svc in opts.services:
        for grpc_service in svc.grpc_services:
            route: dict[str, Any] = {
                # After transcoding, routes see the gRPC path /package.Service/Method.
                "match": {"prefix": f"/{grpc_service}/"},
                "route": {"cluster": svc.name, "timeout": "15s"},
            }
            if grpc_service in RATE_LIMITED:
                route["typed_per_filter_config"] = _route_ratelimit(opts)
            routes.append(route)
    return routes


def _local_reply_config() -> dict[str, Any]:
    mappers = [
        {"filter": {"status_code_filter": {"comparison": {"op": "EQ", "value": {
            "default_value": status, "runtime_key": f"local_reply_{status}"}}}},
         "body_format_override": {"json_format": {"code": code, "message": "%LOCAL_REPLY_BODY%"},
                                  "content_type": "application/json"}}
        for status, code in _GRPC_CODE.items()
    ]
    return {"mappers": mappers, "body_format": {
        "json_format": {"code": 2, "message": "%LOCAL_REPLY_BODY%"}, "content_type": "application/json"}}


def _hcm(opts: GatewayOptions, jwks_file: str) -> dict[str, Any]:
    return {
        "name": "envoy.filters.network.http_connection_manager",
        "typed_config": {
            TYPE: _HCM,
            "stat_prefix": "gateway",
            "codec_type": "AUTO",
            "use_remote_address": True,
            "normalize_path": True,
            "merge_slashes": True,
            "access_log": [{"name": "envoy.access_loggers.file", "typed_config": {
                TYPE: "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
                "path": opts.access_log,
                "log_format": {"json_format": {
                    "time": "%START_TIME%", "method": "%REQ(:METHOD)%",
                    "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%", "status": "%RESPONSE_CODE%",
                    "grpc_status": "%GRPC_STATUS%", "duration_ms": "%DURATION%",
                    "upstream": "%UPSTREAM_CLUSTER%", "client": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
                    "request_id": "%REQ(X-REQUEST-ID)%", "flags": "%RESPONSE_FLAGS%"}}}}],
            "route_config": {"name": "public", "virtual_hosts": [{
                "name": "api", "domains": ["*"], "routes": _routes(opts),
                # Overwritten, never trusted from the client: services check admin calls
                # against it (see services/runtime/rpc/access.py).
                "request_headers_to_add": [{
                    "header": {"key": CLIENT_IP_HEADER, "value": "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%"},
                    "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}],
            }]},
            "local_reply_config": _local_reply_config(),
            "http_filters": [
                _jwt_filter(jwks_file),
                _transcoder(opts.services),
                _local_ratelimit_filter(),
                _rbac_filter(),
                {"name": "envoy.filters.http.router", "typed_config": {
                    TYPE: "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}},
            ],
        },
    }


def _cluster(svc: Service, upstream_host: str | None) -> dict[str, Any]:
    host = upstream_host.format(name=svc.name) if upstream_host else "127.0.0.1"
    return {
        "name": svc.name,
        "type": "STRICT_DNS" if upstream_host else "STATIC",
        "connect_timeout": "1s",
        "lb_policy": "ROUND_ROBIN",
        "typed_extension_protocol_options": {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
            TYPE: "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            "explicit_http_config": {"http2_protocol_options": {}}}},
        "load_assignment": {"cluster_name": svc.name, "endpoints": [{"lb_endpoints": [{"endpoint": {
            "address": {"socket_address": {"address": host, "port_value": svc.grpc_port}}}}]}]},
        "health_checks": [{"timeout": "1s", "interval": "2s", "no_traffic_interval": "2s",
                           "unhealthy_threshold": 2, "healthy_threshold": 1,
                           "grpc_health_check": {}}],
    }


def render(opts: GatewayOptions, *, jwks_file: str, tls: tuple[str, str] | None) -> dict[str, Any]:
    hcm = _hcm(opts, jwks_file)
    listeners: list[dict[str, Any]] = [{
        "name": "public_http",
        "address": {"socket_address": {"address": opts.listen, "port_value": opts.http_port}},
        "filter_chains": [{"filters": [hcm]}],
    }]
    if tls and opts.https_port:
        cert, key = tls
        listeners.append({
            "name": "public_https",
            "address": {"socket_address": {"address": opts.listen, "port_value": opts.https_port}},
            "filter_chains": [{"filters": [hcm], "transport_socket": {
                "name": "envoy.transport_sockets.tls", "typed_config": {
                    TYPE: "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
                    "common_tls_context": {
                        "alpn_protocols": ["h2", "http/1.1"],
                        "tls_certificates": [{"certificate_chain": {"filename": cert},
                                              "private_key": {"filename": key}}]}}}}],
        })
    return {
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": opts.admin_port}}},
        "static_resources": {"listeners": listeners,
                             "clusters": [_cluster(s, opts.upstream_host) for s in opts.services]},
        "layered_runtime": {"layers": [{"name": "static", "static_layer": {}}]},
    }


K8S_CONFIG = paths.ROOT / "k8s" / "base" / "gateway" / "envoy.json"


def write_k8s_config() -> None:
    """The same gateway for the cluster: services by DNS name, files from mounted volumes,
    internal networks = the cluster's private ranges."""
    opts = GatewayOptions(listen="0.0.0.0", https_port=None, admin_port=9901, upstream_host="{name}",
                          internal_cidrs=("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
                          access_log="/dev/stdout",
                          services=[s for s in topology.SERVICES if s.name != "echo"])
    config = render(opts, jwks_file="/etc/kulturago/jwks/jwks.json", tls=None)
    transcoder = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    for f in transcoder["http_filters"]:
        if f["name"] == "envoy.filters.http.grpc_json_transcoder":
            f["typed_config"]["proto_descriptor"] = "/etc/kulturago/descriptor/descriptor.binpb"
    K8S_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    K8S_CONFIG.write_text(json.dumps(config, indent=1) + "\n")
    print(f"wrote {K8S_CONFIG.relative_to(paths.ROOT)}")
