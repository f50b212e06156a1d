"""The Envoy gateway config (rendered as JSON into .dev/run/envoy.json).

Public REST paths are transcoded to gRPC from envoy/descriptor.binpb; gRPC and
gRPC-Web are served on the same listeners (kgo/gateway_grpc.py); jwt_authn
verifies access tokens at the edge; AuthService's state-changing methods are
rate-limited per client address; Envoy's own replies are rendered as JSON like the
services' errors are (for gRPC clients: as gRPC statuses with ErrorInfo).

Who may call what is not written here: the JWT and RBAC rules are derived from the
`(kulturago.options.v1.access)` option on each RPC (services/runtime/rpc/policy.py),
the same declaration the services enforce. Both filters run after the transcoder, so
they match the one gRPC path of a method however its REST path was spelled.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from google.protobuf.descriptor import MethodDescriptor

from kgo import api_docs, gateway_grpc, gateway_http, paths, rest_bindings, topology
from kgo.topology import Service
from services.runtime.rpc.access import CLIENT_IP_HEADER, GATEWAY_HEADER
from services.runtime.rpc.policy import Access, method_access, service_descriptor

TYPE = "@type"
GATEWAY_SECRET_ENV = "KGO_GATEWAY_SECRET"  # the gateway process's environment, as the services'
_HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"

# Full gRPC service names whose state-changing methods are rate-limited per client.
RATE_LIMITED = ("kulturago.auth.v1.AuthService",)
# HTTP status -> google.rpc.Code, so Envoy's own errors look like the services' ones.
_GRPC_CODE = {400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 408: 4, 413: 3, 426: 9, 429: 8, 431: 3, 500: 13, 501: 12,
              502: 14, 503: 14, 504: 4}


@dataclass(frozen=True)
class GatewayOptions:
    http_port: int = topology.GATEWAY_HTTP_PORT
    https_port: int | None = topology.GATEWAY_HTTPS_PORT
    admin_port: int = topology.ENVOY_ADMIN_PORT
    listen: str = "127.0.0.1"
    internal_cidrs: Sequence[str] = ("127.0.0.0/8", "::1/128")
    # A listener of its own for ADMIN methods (the cluster's, behind a ClusterIP Service).
    # With it, the public listeners never grant ADMIN, whatever a client's source address
    # looks like after a load balancer's SNAT; without it (local development) they grant
    # it to internal_cidrs.
    internal_http_port: int | None = None
    descriptor: str = str(paths.DESCRIPTOR)
    # Token buckets of AuthService's state-changing methods, one per client address and
    # method (rate_limited_methods); at most rate_limit_clients addresses remembered.
    auth_burst: int = 100
    auth_per_second: int = 50
    rate_limit_clients: int = 20000
    access_log: str = str(paths.LOGS / "envoy-access.log")
    services: Sequence[Service] = field(default_factory=lambda: topology.SERVICES)
    # Upstreams: 127.0.0.1:<port> locally; in Kubernetes "<service>:<port>" resolved by DNS.
    upstream_host: str | None = None  # None: 127.0.0.1 (STATIC); "{name}": DNS name template
    hsts_max_age: int = 365 * 24 * 3600  # Strict-Transport-Security on the TLS listener
    # S3 (host, port) that MEDIA_PREFIX fronts, so presigned views get the gateway's
    # security headers (nosniff) that S3 cannot add; None: no media route (a CDN fronts S3).
    media_upstream: tuple[str, int] | None = ("127.0.0.1", topology.S3_PORT)
    # The folder of the API reference, served at /openapi.yaml and /docs (kgo/api_docs.py);
    # None: not served.
    api_docs: str | None = str(api_docs.LOCAL_FOLDER)
    # Web pages that may call the API from a browser (CORS; gRPC-Web and REST): RE2
    # patterns of the Origin, matched whole. Locally any port of this machine.
    cors_origins: Sequence[str] = (r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]+)?",)


def _cidr(cidr: str) -> dict[str, Any]:
    address, _, prefix = cidr.partition("/")
    return {"address_prefix": address, "prefix_len": int(prefix or (128 if ":" in address else 32))}


def access_table(services: Sequence[Service]) -> dict[str, Access]:
    """gRPC path -> access level of every method the gateway routes to (raises when an
    RPC declares none: the gateway is never rendered with a gap)."""
    return method_access(service_descriptor(name) for svc in services for name in svc.grpc_services)


def jwt_rules(table: dict[str, Access]) -> list[dict[str, Any]]:
    """jwt_authn rules on gRPC paths (the filter runs after the transcoder). First match
    wins: PUBLIC methods need no token; INTERNAL ones are left to the RBAC deny (the same
    403 with or without a token); everything else, declared USER/ADMIN or not a method
    at all, needs a valid token."""
    token = {"provider_name": _PROVIDER}
    rules: list[dict[str, Any]] = []
    for path, access in sorted(table.items()):
        if access in (Access.PUBLIC, Access.INTERNAL):
            rules.append({"match": {"path": path}})
        else:
            rules.append({"match": {"path": path}, "requires": token})
    rules.append({"match": {"prefix": "/"}, "requires": token})
    return rules


_PROVIDER = "kulturago"


def _jwt_filter(jwks_file: str, table: dict[str, Access], services: Sequence[Service]) -> dict[str, Any]:
    from services.runtime.settings import ServiceSettings

    s = ServiceSettings()
    provider = {
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
    }
    return {
        "name": "envoy.filters.http.jwt_authn",
        "typed_config": {
            TYPE: "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
            # Services' own HTTP paths (WebSocket, redirects) also take a browser's token.
            "providers": {_PROVIDER: provider, **gateway_http.jwt_provider(provider)},
            "rules": [*gateway_http.jwt_rules(services), *jwt_rules(table)],
        },
    }


def _transcoder(services: Sequence[Service], descriptor: str) -> dict[str, Any]:
    return {
        "name": "envoy.filters.http.grpc_json_transcoder",
        "typed_config": {
            TYPE: "type.googleapis.com/envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder",
            "proto_descriptor": descriptor,
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


def rate_limited_methods(services: Sequence[Service]) -> list[str]:
    """gRPC paths limited per client: the methods of RATE_LIMITED services that change
    state (their REST verb is not GET: sign-up, sign-in, refresh, logout). Reads such
    as the JWKS every client and service fetches are never limited."""
    from services.runtime.rpc.policy import grpc_path

    return [grpc_path(method) for svc in services for name in svc.grpc_services
            for method in service_descriptor(name).methods if is_rate_limited(method)]


def is_rate_limited(method: MethodDescriptor) -> bool:
    """Whether the gateway limits `method` per client (see rate_limited_methods)."""
    from google.api import annotations_pb2

    options: Any = method.GetOptions()
    return (method.containing_service.full_name in RATE_LIMITED
            and options.Extensions[annotations_pb2.http].WhichOneof("pattern") != "get")


def _route_ratelimit(opts: GatewayOptions) -> dict[str, Any]:
    """A token bucket per client address (a `remote_address` descriptor; with
    use_remote_address and no trusted hops, the TCP peer, not X-Forwarded-For), kept in an
    LRU of max_clients buckets. Each route has its own buckets, so one method's budget
    does not spend another's."""
    bucket = {"max_tokens": opts.auth_burst, "tokens_per_fill": opts.auth_per_second, "fill_interval": "1s"}
    return {"envoy.filters.http.local_ratelimit": {
        TYPE: "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
        "stat_prefix": "auth_rate_limit",
        # Required on a route; consumed only by a request without a client address.
        "token_bucket": bucket,
        # The filter's own descriptor actions (Envoy ignores the route's rate_limits then).
        "rate_limits": [{"actions": [{"remote_address": {}}]}],
        "descriptors": [{"entries": [{"key": "remote_address", "value": ""}],  # "": one bucket per value
                         "token_bucket": bucket}],
        "max_dynamic_descriptors": opts.rate_limit_clients,
        "always_consume_default_token_bucket": False,
        "filter_enabled": {"default_value": {"numerator": 100, "denominator": "HUNDRED"},
                           "runtime_key": "auth_rate_limit_enabled"},
        "filter_enforced": {"default_value": {"numerator": 100, "denominator": "HUNDRED"},
                            "runtime_key": "auth_rate_limit_enforced"},
        "response_headers_to_add": [
            {"append_action": "OVERWRITE_IF_EXISTS_OR_ADD", "header": {"key": "x-ratelimit-limited", "value": "true"}},
            # The bucket refills every second: one is always enough to get a token again.
            {"append_action": "OVERWRITE_IF_EXISTS_OR_ADD", "header": {"key": "retry-after", "value": "1"}}],
    }}


def _paths(table: dict[str, Access], access: Access) -> list[dict[str, Any]]:
    # url_path ignores the query string; the gRPC path is what the upstream dispatches on.
    return [{"url_path": {"path": {"exact": path}}} for path, level in sorted(table.items()) if level is access]


def rbac_policies(opts: GatewayOptions, table: dict[str, Access], *, grant_admin: bool) -> dict[str, Any]:
    """DENY policies on gRPC paths: INTERNAL methods for everyone, ADMIN methods for
    everyone but an admin from an internal network (or for everyone on a listener that
    does not grant ADMIN)."""
    policies: dict[str, Any] = {}
    if internal := _paths(table, Access.INTERNAL):
        policies["internal-methods-never-through-the-gateway"] = {
            "permissions": internal, "principals": [{"any": True}]}
    if admin := _paths(table, Access.ADMIN):
        if grant_admin:
            from_internal = {"or_ids": {"ids": [{"direct_remote_ip": _cidr(c)} for c in opts.internal_cidrs]}}
            is_admin = {"sourced_metadata": {"metadata_matcher": {
                "filter": "envoy.filters.http.jwt_authn",
                "path": [{"key": "jwt_payload"}, {"key": "roles"}],
                "value": {"list_match": {"one_of": {"string_match": {"exact": "admin"}}}},
            }}}
            policies["admin-methods-need-an-admin-from-an-internal-network"] = {
                "permissions": admin, "principals": [{"not_id": {"and_ids": {"ids": [from_internal, is_admin]}}}]}
        else:
            policies["admin-methods-only-on-the-internal-listener"] = {
                "permissions": admin, "principals": [{"any": True}]}
    return policies


def _rbac_filter(opts: GatewayOptions, table: dict[str, Access], *, grant_admin: bool) -> dict[str, Any]:
    # Listener-wide rules (no per-route overrides that could shadow them); after jwt_authn,
    # whose verified payload holds the roles.
    return {"name": "envoy.filters.http.rbac", "typed_config": {
        TYPE: "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
        "rules": {"action": "DENY", "policies": rbac_policies(opts, table, grant_admin=grant_admin)}}}


KIB = 1024
# The largest request body each RPC takes, in bytes of what the client sends (JSON for
# REST): enough for the largest valid request, small enough that a flood of bodies is
# cheap to refuse. Everything not listed gets DEFAULT_BODY_LIMIT. Over it: 413.
DEFAULT_BODY_LIMIT = 64 * KIB  # sign-in/up, refresh, a profile (bio 2,000 chars, 30 interests)
BODY_LIMITS = {
    # An event: description up to 10,000 characters, 500 sessions, tags, images.
    "/kulturago.event.v1.EventService/PublishEvent": 1024 * KIB,
}


def body_limit(grpc_path: str) -> int:
    return BODY_LIMITS.get(grpc_path, DEFAULT_BODY_LIMIT)


def _size(limit: int) -> str:
    return f"{limit // (1024 * KIB)} MiB" if limit % (1024 * KIB) == 0 else f"{limit // KIB} KiB"


def _body_limit_config(limit: int) -> dict[str, Any]:
    return {"envoy.filters.http.buffer": {
        TYPE: "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.BufferPerRoute",
        "buffer": {"max_request_bytes": limit}}}


def _limit_metadata(limit: int) -> dict[str, Any]:
    # Read by the 413 reply (%METADATA(ROUTE:...)%) to name the limit.
    return {"filter_metadata": {_METADATA: {"max_request_body": _size(limit)}}}


_METADATA = "kulturago.gateway"


def _rest_routes(opts: GatewayOptions) -> list[dict[str, Any]]:
    """The REST paths as the client sent them. Only the buffer filter, which runs before
    the transcoder, sees these routes: it takes the body limit of the RPC from them. The
    transcoder then rewrites the path and routing starts again on the gRPC routes; a
    request it does not transcode (a gRPC content type on a REST path) ends here."""
    found = rest_bindings.bindings(service_descriptor(name) for svc in opts.services for name in svc.grpc_services)
    return [{
        "match": {"safe_regex": {"regex": b.path_regex},
                  "headers": [{"name": ":method", "string_match": {"exact": b.method}}]},
        "direct_response": {"status": 404, "body": {"inline_string": f"{b.method} {b.template} is a REST path"}},
        "metadata": _limit_metadata(body_limit(b.grpc_path)),
        "typed_per_filter_config": _body_limit_config(body_limit(b.grpc_path)),
    } for b in found]


MEDIA_PREFIX = "/media"
# What the media route serves: presigned GETs of these bucket prefixes, nothing else of S3.
# + tours' offline bundles and review photos (reviews/pending/ is never signed for a view)
MEDIA_PATHS = (f"/{topology.S3_BUCKET}/avatars/", f"/{topology.S3_BUCKET}/bundles/", f"/{topology.S3_BUCKET}/reviews/")
_OFF = {TYPE: "type.googleapis.com/envoy.config.route.v3.FilterConfig", "disabled": True}


def _media_routes(opts: GatewayOptions) -> list[dict[str, Any]]:
    """GET/HEAD {MEDIA_PREFIX}/<bucket>/avatars/... proxied to S3 as it was signed (same
    path, same Host), so the presigned signature holds and the response gets the virtual
    host's headers. Neither the transcoder nor jwt_authn applies: the signature is the
    authorization, and S3 checks it."""
    if opts.media_upstream is None:
        return []
    host, port = opts.media_upstream
    return [{
        "match": {"prefix": MEDIA_PREFIX + path,
                  "headers": [{"name": ":method", "string_match": {"safe_regex": {"regex": "GET|HEAD"}}}]},
        "route": {"cluster": "media", "prefix_rewrite": path, "host_rewrite_literal": f"{host}:{port}",
                  "timeout": "15s"},
        # A client following a redirect here may bring its bearer token; S3 would take it for
        # a signature of its own and refuse. The query string's signature is all it needs.
        "request_headers_to_remove": ["authorization"],
        "metadata": _limit_metadata(DEFAULT_BODY_LIMIT),
        "typed_per_filter_config": {"envoy.filters.http.grpc_json_transcoder": _OFF,
                                    "envoy.filters.http.jwt_authn": _OFF},
    } for path in MEDIA_PATHS]


def _media_cluster(opts: GatewayOptions) -> list[dict[str, Any]]:
    if opts.media_upstream is None:
        return []
    host, port = opts.media_upstream
    return [{"name": "media", "type": "STATIC", "connect_timeout": "1s", "lb_policy": "ROUND_ROBIN",
             "load_assignment": {"cluster_name": "media", "endpoints": [{"lb_endpoints": [{"endpoint": {
                 "address": {"socket_address": {"address": host, "port_value": port}}}}]}]}}]


def _routes(opts: GatewayOptions) -> list[dict[str, Any]]:
    routes = [*(api_docs.routes(opts.api_docs) if opts.api_docs else []), *_media_routes(opts), *_rest_routes(opts)]
    routes += gateway_http.routes(opts.services)  # services' own HTTP servers (WebSocket, redirects)
    # After transcoding, routes see the gRPC path /package.Service/Method (as raw gRPC
    # requests do from the start). A method gets a route of its own when it is
    # rate-limited (its own per-client buckets) or has a body limit of its own.
    limited = rate_limited_methods(opts.services)
    for path in [*limited, *(p for p in BODY_LIMITS if p not in limited)]:
        if not any(path.startswith(f"/{name}/") for svc in opts.services for name in svc.grpc_services):
            continue  # a service this gateway does not route to
        route: dict[str, Any] = {
            "match": {"path": path},
            "route": {"cluster": _cluster_of(opts, path), "timeout": "15s"},
            "metadata": _limit_metadata(body_limit(path)),
            "typed_per_filter_config": _body_limit_config(body_limit(path)),
        }
        if path in limited:
            route["typed_per_filter_config"].update(_route_ratelimit(opts))
        routes.append(route)
    for svc in opts.services:
        for grpc_service in svc.grpc_services:
            routes.append({
                "match": {"prefix": f"/{grpc_service}/"},
                "route": {"cluster": svc.name, "timeout": "15s"},
                "metadata": _limit_metadata(DEFAULT_BODY_LIMIT),
            })
    routes.append({"match": {"prefix": "/"}, "metadata": _limit_metadata(DEFAULT_BODY_LIMIT),
                   "direct_response": {"status": 404, "body": {"inline_string": "no such path"}}})
    return routes


def _cluster_of(opts: GatewayOptions, path: str) -> str:
    service = path.split("/")[1]
    return next(svc.name for svc in opts.services if service in svc.grpc_services)


# Envoy's own words for some local replies, replaced by ones a client can act on.
_LOCAL_REPLY_MESSAGES = {
    413: f"request body too large: this endpoint takes at most %METADATA(ROUTE:{_METADATA}:max_request_body)%",
    429: "too many requests from your address: retry after the seconds in Retry-After",
}


# Local replies the HTTP connection manager sends with an empty body, by their response
# code details (seen with %RESPONSE_CODE_DETAILS% in the access log): status, message.
QUERY_WITHOUT_TYPE = "query_missing_content_type"
SILENT_LOCAL_REPLIES = {
    "path_normalization_failed": (400, "invalid path: it cannot be normalized (an escaped NUL such as %00, "
                                       "or a '#' sent as part of the path)"),
    "missing_host_header": (400, "the request has no Host header"),
    "absolute_path_rejected": (404, "the request target must be a path starting with '/'"),
    "upgrade_failed": (403, "connection upgrades (such as WebSocket) are not served here"),
    "route_not_found": (404, "no such path"),
    # A QUERY (RFC 9110's safe method with a body) without a Content-Type; with one, the
    # transcoder answers it like any method a path does not take (405 below).
    QUERY_WITHOUT_TYPE: (400, "a QUERY request needs a Content-Type, and no path here takes QUERY"),
}


def _json_reply(code: int, message: str = "%LOCAL_REPLY_BODY%") -> dict[str, Any]:
    return {"json_format": {"code": code, "message": message}, "content_type": "application/json"}


def silent_reply_mappers() -> list[dict[str, Any]]:
    """Every 4xx carries a message: the replies Envoy leaves empty get one (matched by a
    CEL expression on their response code details)."""
    return [{
        "filter": {"and_filter": {"filters": [_status_is(status), _details_are(details)]}},
        "body": {"inline_string": message},
        "body_format_override": _json_reply(_GRPC_CODE[status]),
    } for details, (status, message) in SILENT_LOCAL_REPLIES.items()]


def _details_are(details: str) -> dict[str, Any]:
    return {"extension_filter": {
        "name": "envoy.access_loggers.extension_filters.cel",
        "typed_config": {
            TYPE: "type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter",
            "expression": f"response.code_details == '{details}'"}}}


def _status_is(status: int) -> dict[str, Any]:
    return {"status_code_filter": {"comparison": {"op": "EQ", "value": {
        "default_value": status, "runtime_key": f"local_reply_{status}"}}}}


def method_not_allowed_mappers(services: Sequence[Service]) -> list[dict[str, Any]]:
    """The transcoder answers a path its contracts bind with another HTTP method as it
    answers an unknown path: 404 "Could not resolve ... to a method". For each bound
    path, such a 404 becomes a 405 naming the methods the path declares in `Allow`
    (RFC 9110), as does the codec's 400 to a QUERY without a Content-Type, which never
    reaches the transcoder. The request's :path is still the REST one then (query string
    included)."""
    found = rest_bindings.bindings(service_descriptor(name) for svc in services for name in svc.grpc_services)
    mappers = []
    for path_regex, methods in rest_bindings.allowed_methods(found).items():
        allow = ", ".join(methods)
        mappers.append({
            "filter": {"and_filter": {"filters": [
                {"or_filter": {"filters": [_status_is(404), {"and_filter": {"filters": [
                    _status_is(400), _details_are(QUERY_WITHOUT_TYPE)]}}]}},
                {"header_filter": {"header": {"name": ":path",
                                              "string_match": {"safe_regex": {"regex": path_regex + r"(\?.*)?"}}}}},
                {"header_filter": {"header": {"name": ":method", "invert_match": True,
                                              "string_match": {"safe_regex": {"regex": "|".join(methods)}}}}},
            ]}},
            "status_code": 405,
            "headers_to_add": [{"header": {"key": "allow", "value": allow},
                                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}],
            "body_format_override": _json_reply(
                _GRPC_CODE[405], f"method %REQ(:METHOD)% is not allowed on this path; allowed: {allow}"),
        })
    return mappers


def _grpc_replies(opts: GatewayOptions) -> list[gateway_grpc.GrpcReply]:
    """Envoy's refusals of a gRPC or gRPC-Web call, as gRPC statuses (kgo/gateway_grpc.py)."""
    return gateway_grpc.grpc_replies(
        internal_policy="internal-methods-never-through-the-gateway",
        admin_policies=("admin-methods-need-an-admin-from-an-internal-network",
                        "admin-methods-only-on-the-internal-listener"),
        body_limits=sorted({_size(body_limit(p)) for p in BODY_LIMITS} | {_size(DEFAULT_BODY_LIMIT)}),
        rate_limit_refill_seconds=1)  # the bucket's fill_interval (_route_ratelimit)


def _local_reply_config(opts: GatewayOptions, headers: list[dict[str, Any]]) -> dict[str, Any]:
    services = opts.services
    # gRPC and gRPC-Web requests first: they get a gRPC status, not the REST JSON below.
    mappers = [*(api_docs.reply_mappers() if opts.api_docs else []),  # the files as they are
               *gateway_grpc.reply_mappers(_grpc_replies(opts)),
               *method_not_allowed_mappers(services), *silent_reply_mappers()] + [
        {"filter": _status_is(status),
         "body_format_override": _json_reply(code, _LOCAL_REPLY_MESSAGES.get(status, "%LOCAL_REPLY_BODY%"))}
        for status, code in _GRPC_CODE.items()
    ] + [{"filter": {"status_code_filter": {"comparison": {"op": "GE", "value": {
        "default_value": 0, "runtime_key": "local_reply_any"}}}}, "body_format_override": _json_reply(2)}]
    # Envoy's own replies (including those of the connection manager and the codec, which
    # no route or filter sees) carry the same security headers as the routes' responses.
    for mapper in mappers:
        mapper["headers_to_add"] = [*mapper.get("headers_to_add", []), *headers]
    return {"mappers": mappers, "body_format": _json_reply(2)}


def security_headers(opts: GatewayOptions, *, tls: bool) -> list[dict[str, Any]]:
    """On every response: no MIME sniffing (a JSON error or an upload is never run as
    HTML). Over TLS also HSTS: browsers then refuse plain HTTP to this host. Never on
    plain HTTP, where RFC 6797 says it must not be sent (a man in the middle could)."""
    headers = [{"header": {"key": "x-content-type-options", "value": "nosniff"},
                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}]
    if tls:
        headers.append({"header": {"key": "strict-transport-security", "value": f"max-age={opts.hsts_max_age}"},
                        "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"})
    return headers


def _hcm(opts: GatewayOptions, jwks_file: str, *, grant_admin: bool, stat_prefix: str = "gateway",
         tls: bool = False) -> dict[str, Any]:
    table = access_table(opts.services)
    headers = security_headers(opts, tls=tls)
    return {
        "name": "envoy.filters.network.http_connection_manager",
        "typed_config": {
            TYPE: _HCM,
            "stat_prefix": stat_prefix,
            "codec_type": "AUTO",
            "use_remote_address": True,
            # No `server: envoy` either (our gRPC upstreams send no server header to pass on).
            "server_header_transformation": "PASS_THROUGH",
            "normalize_path": True,
            "merge_slashes": True,
            # The path is logged without its query: a browser's WebSocket carries its token
            # there (?token=), and no secret belongs in a log file.
            "access_log": [{"name": "envoy.access_loggers.file", "typed_config": {
                TYPE: "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
                "path": opts.access_log,
                "log_format": {"json_format": {
                    "time": "%START_TIME%", "method": "%REQ(:METHOD)%",
                    "path": "%PATH(NQ:ORIG_OR_PATH)%", "status": "%RESPONSE_CODE%",
                    "grpc_status": "%GRPC_STATUS%", "duration_ms": "%DURATION%",
                    "upstream": "%UPSTREAM_CLUSTER%", "client": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
                    "request_id": "%REQ(X-REQUEST-ID)%", "flags": "%RESPONSE_FLAGS%",
                    "details": "%RESPONSE_CODE_DETAILS%"}}}}],
            "route_config": {"name": "public", "max_direct_response_body_size_bytes": api_docs.MAX_BODY,
                             "virtual_hosts": [{
                "name": "api", "domains": ["*"], "routes": _routes(opts),
                "response_headers_to_add": headers,
                "typed_per_filter_config": gateway_grpc.cors_policy(opts.cors_origins),
                # Overwritten, never trusted from the client: services check admin calls
                # against it (see services/runtime/rpc/access.py).
                "request_headers_to_add": [{
                    "header": {"key": CLIENT_IP_HEADER, "value": "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%"},
                    "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}, {
                    # Vouches for the address above; read from the gateway's environment so
                    # the secret is in no config file (locally kgo, in k8s a Secret, sets it).
                    "header": {"key": GATEWAY_HEADER, "value": f"%ENVIRONMENT({GATEWAY_SECRET_ENV})%"},
                    "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}],
            }]},
            "local_reply_config": _local_reply_config(opts, headers),
            "http_filters": [
                # Browsers' preflights answered first; then gRPC-Web becomes gRPC, so every
                # filter after it treats the two alike (kgo/gateway_grpc.py).
                gateway_grpc.cors_filter(),
                gateway_grpc.grpc_web_filter(),
                # Before the transcoder, so the limit counts the bytes the client sent; its
                # per-route config (the RPC's body limit) comes from the REST routes.
                {"name": "envoy.filters.http.buffer", "typed_config": {
                    TYPE: "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer",
                    "max_request_bytes": DEFAULT_BODY_LIMIT}},
                # Transcoder (nearly) first: jwt_authn and RBAC then see /package.Service/Method
                # for REST and raw gRPC requests alike (`GET /api/v1/me/` included).
                _transcoder(opts.services, opts.descriptor),
                _jwt_filter(jwks_file, table, opts.services),
                _local_ratelimit_filter(),
                _rbac_filter(opts, table, grant_admin=grant_admin),
                # No x-envoy-* headers towards clients: they tell an outsider what runs here
                # and how long the upstream took.
                {"name": "envoy.filters.http.router", "typed_config": {
                    TYPE: "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
                    "suppress_envoy_headers": True}},
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
    hcm = _hcm(opts, jwks_file, grant_admin=opts.internal_http_port is None)
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
            "filter_chains": [{"filters": [_hcm(opts, jwks_file, grant_admin=opts.internal_http_port is None,
                                                tls=True)], "transport_socket": {
                "name": "envoy.transport_sockets.tls", "typed_config": {
                    TYPE: "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
                    "common_tls_context": {
                        "alpn_protocols": ["h2", "http/1.1"],
                        "tls_certificates": [{"certificate_chain": {"filename": cert},
                                              "private_key": {"filename": key}}]}}}}],
        })
    if opts.internal_http_port is not None:
        listeners.append({
            "name": "internal_http",
            "address": {"socket_address": {"address": opts.listen, "port_value": opts.internal_http_port}},
            "filter_chains": [{"filters": [
                _hcm(opts, jwks_file, grant_admin=True, stat_prefix="gateway_internal")]}],
        })
    return {
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": opts.admin_port}}},
        "static_resources": {"listeners": listeners,
                             "clusters": [*(_cluster(s, opts.upstream_host) for s in opts.services),
                                          *gateway_http.clusters(opts.services, opts.upstream_host),
                                          *_media_cluster(opts)]},
        "layered_runtime": {"layers": [{"name": "static", "static_layer": {}}]},
    }


K8S_CONFIG = paths.ROOT / "k8s" / "base" / "gateway" / "envoy.json"
K8S_JWKS = "/etc/kulturago/jwks/jwks.json"
K8S_PUBLIC_PORT = 8080
K8S_INTERNAL_PORT = 8081  # the gateway-internal ClusterIP Service (k8s/base/gateway/gateway.yaml)
K8S_API_DOCS = "/etc/kulturago/api-docs"  # filled by the gateway's init container (gateway.yaml)


def k8s_options() -> GatewayOptions:
    """The same gateway for the cluster: services by DNS name, files from mounted volumes.
    ADMIN methods only on the internal listener, reached through a ClusterIP Service
    (in-cluster callers, or `kubectl port-forward`, which arrives from loopback); the
    public listener behind the LoadBalancer refuses them whatever the source address."""
    return GatewayOptions(listen="0.0.0.0", http_port=K8S_PUBLIC_PORT, https_port=None, admin_port=9901,
                          internal_http_port=K8S_INTERNAL_PORT, upstream_host="{name}",
                          media_upstream=None,  # the cluster's S3 views go through its CDN
                          api_docs=K8S_API_DOCS,
                          cors_origins=(r"https://([a-z0-9-]+\.)?kulturago\.ru",),  # the web app's pages
                          internal_cidrs=("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8"),
                          access_log="/dev/stdout", descriptor="/etc/kulturago/descriptor/descriptor.binpb",
                          # The manifests' ports: a local KGO_PORT_OFFSET is no business of the cluster's.
                          services=[replace(s, grpc_port=s.grpc_port - topology.PORT_OFFSET,
                                            metrics_port=s.metrics_port - topology.PORT_OFFSET,
                                            http_port=s.http_port and s.http_port - topology.PORT_OFFSET)
                                    for s in topology.SERVICES if s.name != "echo"])


def write_k8s_config() -> None:
    config = render(k8s_options(), jwks_file=K8S_JWKS, tls=None)
    K8S_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    K8S_CONFIG.write_text(json.dumps(config, indent=1) + "\n")
    print(f"wrote {K8S_CONFIG.relative_to(paths.ROOT)}")
