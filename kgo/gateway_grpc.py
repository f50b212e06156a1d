"""gRPC and gRPC-Web on the gateway's public listeners, beside REST.

Raw gRPC (HTTP/2: h2c on the plain port, h2 over TLS) is routed on its own path,
/package.Service/Method, through the same jwt_authn, RBAC and rate-limit filters as a
transcoded REST call (those filters match gRPC paths). gRPC-Web (HTTP/1.1 or 2,
`application/grpc-web[-text][+proto]`) is turned into gRPC by envoy.filters.http.grpc_web
before anything else looks at the request, so it is the same from there on; browsers
get CORS for it (and for REST).

The services' errors reach gRPC clients as the services sent them (grpc-status,
grpc-message, grpc-status-details-bin: the transcoder converts a status to JSON only for
REST). Envoy's own refusals would not: its local replies carry the JSON body meant for
REST as grpc-message and no details. For gRPC and gRPC-Web requests, `reply_mappers`
answers them as a gRPC trailers-only response instead (HTTP 200, no body): a gRPC
code, a fixed message and a google.rpc.Status with ErrorInfo (domain
`gateway.kulturago.ru`) in grpc-status-details-bin, like a service's error. The status
is encoded here once, at render time, so its message must be fixed (a client's
rpc_status check compares it with grpc-message).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

TYPE = "@type"
# ErrorInfo.domain of the gateway's own refusals; their reasons are the services' where
# the meaning is the same (TOKEN_MISSING, INTERNAL_ONLY, ADMIN_REQUIRED, ...).
DOMAIN = "gateway.kulturago.ru"

# Request headers browsers may send to us, and response headers their scripts may read.
CORS_ALLOW_HEADERS = ("authorization", "content-type", "idempotency-key", "x-grpc-web", "x-user-agent",
                      "grpc-timeout", "grpc-accept-encoding", "connect-protocol-version", "connect-timeout-ms")
CORS_EXPOSE_HEADERS = ("grpc-status", "grpc-message", "grpc-status-details-bin", "retry-after", "allow")
CORS_MAX_AGE_SECONDS = 24 * 3600


def grpc_web_filter() -> dict[str, Any]:
    """First after CORS: the filters after it see gRPC-Web requests as gRPC."""
    return {"name": "envoy.filters.http.grpc_web", "typed_config": {
        TYPE: "type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb"}}


def cors_filter() -> dict[str, Any]:
    # The policy itself is the virtual host's (cors_policy); without one the filter is a no-op.
    return {"name": "envoy.filters.http.cors", "typed_config": {
        TYPE: "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors"}}


def cors_policy(origins: Sequence[str]) -> dict[str, Any]:
    """Browsers at `origins` (RE2, matched whole) may call the API: gRPC-Web and REST.
    Credentials are a bearer token the page sends itself, never a cookie, so no
    allow_credentials."""
    return {"envoy.filters.http.cors": {
        TYPE: "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy",
        "allow_origin_string_match": [{"safe_regex": {"regex": origin}} for origin in origins],
        "allow_methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
        "allow_headers": ", ".join(CORS_ALLOW_HEADERS),
        "expose_headers": ", ".join(CORS_EXPOSE_HEADERS),
        "max_age": str(CORS_MAX_AGE_SECONDS),
    }}


@dataclass(frozen=True)
class GrpcReply:
    """How the gateway answers a gRPC client it refuses: `when` is a CEL condition on the
    local reply (its response code details, its route); the rest is the status sent."""

    when: str
    code: int  # google.rpc.Code
    message: str  # printable ASCII without '%': sent as grpc-message as is
    reason: str  # ErrorInfo.reason
    metadata: tuple[tuple[str, str], ...] = ()
    retry_after_seconds: int | None = None  # also a google.rpc.RetryInfo

    def status(self) -> status_pb2.Status:
        details = [_packed(error_details_pb2.ErrorInfo(reason=self.reason, domain=DOMAIN,
                                                       metadata=dict(self.metadata)))]
        if self.retry_after_seconds is not None:
            details.append(_packed(error_details_pb2.RetryInfo(
                retry_delay=duration_pb2.Duration(seconds=self.retry_after_seconds))))
        return status_pb2.Status(code=self.code, message=self.message, details=details)


def _packed(message: Any) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def _details_is(value: str) -> str:
    return f"response.code_details == '{value}'"


_RBAC = "rbac_access_denied_matched_policy"


def grpc_replies(*, internal_policy: str, admin_policies: Sequence[str], body_limits: Sequence[str],
                 rate_limit_refill_seconds: int) -> list[GrpcReply]:
    """The gateway's refusals, first match wins. `internal_policy`/`admin_policies` are
    the RBAC policy names (kgo/gateway.py), `body_limits` the sizes routes name in their
    metadata (e.g. "64 KiB"), so the message can say the limit of the method called."""
    replies = [
        # jwt_authn: its response code details carry its reason, spaces as underscores.
        GrpcReply(_details_is("jwt_authn_access_denied{Jwt_is_expired}"), code_pb2.UNAUTHENTICATED,
                  "access token expired: refresh it and call again", "TOKEN_EXPIRED"),
        GrpcReply(_details_is("jwt_authn_access_denied{Jwt_is_missing}"), code_pb2.UNAUTHENTICATED,
                  "missing bearer token", "TOKEN_MISSING"),
        GrpcReply("response.code_details.startsWith('jwt_authn_access_denied')", code_pb2.UNAUTHENTICATED,
                  "invalid access token", "TOKEN_INVALID"),
        GrpcReply(_details_is(f"{_RBAC}[{internal_policy}]"), code_pb2.PERMISSION_DENIED,
                  "internal method: it is not served through the gateway", "INTERNAL_ONLY"),
        *(GrpcReply(_details_is(f"{_RBAC}[{policy}]"), code_pb2.PERMISSION_DENIED,
                    "admin method: it needs an admin token, from an internal network", "ADMIN_REQUIRED")
          for policy in admin_policies),
        GrpcReply(f"response.code_details.startsWith('{_RBAC}')", code_pb2.PERMISSION_DENIED,
                  "access denied by the gateway", "ACCESS_DENIED"),
        GrpcReply(_details_is("local_rate_limited"), code_pb2.RESOURCE_EXHAUSTED,
                  f"too many requests from your address: retry in {rate_limit_refill_seconds} s", "RATE_LIMITED",
                  (("retryAfterSeconds", str(rate_limit_refill_seconds)),), rate_limit_refill_seconds),
        *(GrpcReply(f"{_details_is('request_payload_too_large')} && "
                    f"xds.route_metadata.filter_metadata['kulturago.gateway']['max_request_body'] == '{size}'",
                    code_pb2.RESOURCE_EXHAUSTED, f"request message too large: this method takes at most {size}",
                    "REQUEST_TOO_LARGE", (("maxRequestBody", size),))
          for size in body_limits),
        GrpcReply(_details_is("request_payload_too_large"), code_pb2.RESOURCE_EXHAUSTED,
                  "request message too large for this method", "REQUEST_TOO_LARGE"),
        # A gRPC path no route serves (another service), or a gRPC request to a REST path.
        GrpcReply("response.code == 404", code_pb2.UNIMPLEMENTED,
                  "no such gRPC method on this gateway", "METHOD_NOT_FOUND"),
    ]
    for reply in replies:
        if not reply.message.isascii() or "%" in reply.message:
            raise ValueError(f"a grpc-message is sent as is: printable ASCII without '%': {reply.message!r}")
    return replies


# What a gRPC client gets for any other local reply of Envoy's (an upstream down, a
# timeout): the HTTP status as a gRPC code, Envoy's text as the message, no details.
_FALLBACK_CODES = {400: code_pb2.INVALID_ARGUMENT, 401: code_pb2.UNAUTHENTICATED, 403: code_pb2.PERMISSION_DENIED,
                   404: code_pb2.UNIMPLEMENTED, 408: code_pb2.DEADLINE_EXCEEDED, 413: code_pb2.RESOURCE_EXHAUSTED,
                   429: code_pb2.RESOURCE_EXHAUSTED, 431: code_pb2.RESOURCE_EXHAUSTED,
                   500: code_pb2.INTERNAL, 501: code_pb2.UNIMPLEMENTED, 502: code_pb2.UNAVAILABLE,
                   503: code_pb2.UNAVAILABLE, 504: code_pb2.DEADLINE_EXCEEDED}


def _header(key: str, value: str) -> dict[str, Any]:
    return {"header": {"key": key, "value": value}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}


def _is_grpc_request() -> dict[str, Any]:
    """The request is gRPC, or gRPC-Web (which grpc_web has made gRPC by then), and not a
    REST call: the transcoder makes those gRPC too, but leaves x-envoy-original-path."""
    return {"and_filter": {"filters": [
        {"header_filter": {"header": {"name": "content-type",
                                      "string_match": {"prefix": "application/grpc"}}}},
        {"header_filter": {"header": {"name": "x-envoy-original-path", "present_match": True,
                                      "invert_match": True}}},
    ]}}


def _cel(expression: str) -> dict[str, Any]:
    return {"extension_filter": {
        "name": "envoy.access_loggers.extension_filters.cel",
        "typed_config": {
            TYPE: "type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter",
            "expression": expression}}}


def details_bin(status: status_pb2.Status) -> str:
    # Binary metadata is base64; gRPC implementations must accept it unpadded.
    return base64.b64encode(status.SerializeToString()).decode().rstrip("=")


def reply_mappers(replies: Sequence[GrpcReply]) -> list[dict[str, Any]]:
    """Local reply mappers for gRPC requests, to go before the REST ones. Each answers a
    trailers-only response: HTTP 200, an empty body, the status in headers (a gRPC-Web
    response so made passes grpc_web untouched; a non-200 one it would rewrite, taking
    the code from the HTTP status). Envoy sets no grpc-status of its own over ours."""
    trailers_only = {"status_code": 200, "body": {"inline_string": ""},
                     "body_format_override": {"text_format_source": {"inline_string": "%LOCAL_REPLY_BODY%"}}}
    mappers = [{
        "filter": {"and_filter": {"filters": [_is_grpc_request(), _cel(reply.when)]}},
        **trailers_only,
        "headers_to_add": [_header("grpc-status", str(reply.code)), _header("grpc-message", reply.message),
                           _header("grpc-status-details-bin", details_bin(reply.status()))],
    } for reply in replies]
    # The rest: Envoy's own words as grpc-message (a gRPC request's local reply takes it
    # from the body), the HTTP status as a gRPC code (HTTP 200 for gRPC; grpc_web maps a
    # gRPC-Web one from the HTTP status by itself).
    mappers += [{
        "filter": {"and_filter": {"filters": [_is_grpc_request(), {"status_code_filter": {"comparison": {
            "op": "EQ", "value": {"default_value": status, "runtime_key": f"grpc_local_reply_{status}"}}}}]}},
        "headers_to_add": [_header("grpc-status", str(code))],
        "body_format_override": {"text_format_source": {"inline_string": "%LOCAL_REPLY_BODY%"}},
    } for status, code in _FALLBACK_CODES.items()]
    return mappers
