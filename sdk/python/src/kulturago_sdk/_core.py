"""What the sync and asyncio clients share: the gateway address, which calls carry the
access token, when a refused call is worth a refresh, and the avatar upload request.
No I/O here."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import grpc
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message

from kulturago.options.v1 import access_pb2
from kulturago_sdk import errors

# A token this close to its expiry (by the device's clock) is refreshed before a call.
EXPIRY_MARGIN_SECONDS = 30.0
# ErrorInfo reason of an access token the gateway found expired.
TOKEN_EXPIRED = "TOKEN_EXPIRED"


@dataclass(frozen=True)
class Tokens:
    """A signed-in session: save both (on_tokens) to resume it later; the refresh token
    changes with every refresh and works once."""

    access_token: str
    refresh_token: str


TokensCallback = Callable[[Tokens | None], None]


@dataclass(frozen=True)
class Target:
    address: str  # host:port for grpc
    secure: bool


def parse_base_url(base_url: str) -> Target:
    """"http://host:port" (h2c), "https://host[:port]" (TLS) or a bare "host:port" (h2c)."""
    if "://" not in base_url:
        base_url = f"http://{base_url}"
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"base_url must be http://host:port or https://host[:port]: {base_url!r}")
    if parts.path not in ("", "/"):
        raise ValueError(f"base_url is the gateway's address, without a path: {base_url!r}")
    secure = parts.scheme == "https"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return Target(f"{host}:{parts.port or (443 if secure else 80)}", secure)


def channel_credentials(root_certificates: bytes | None) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(root_certificates)


def service_descriptor(full_name: str) -> ServiceDescriptor:
    return descriptor_pool.Default().FindServiceByName(full_name)


@functools.cache
def rpc(service: str, method: str) -> Rpc:
    """A method by its service's full name and its own: rpc("kulturago.auth.v1.AuthService", "Refresh")."""
    found = service_descriptor(service).methods_by_name.get(method)
    if found is None:
        raise AttributeError(f"{service} has no method {method}")
    return Rpc.of(found)


def needs_token(method: MethodDescriptor) -> bool:
    """Every call whose contract is not ACCESS_PUBLIC carries the access token."""
    options: Any = method.GetOptions()
    return int(options.Extensions[access_pb2.access]) != access_pb2.ACCESS_PUBLIC


@dataclass(frozen=True)
class Rpc:
    """A unary method of the contracts, ready to call on a channel."""

    method: MethodDescriptor
    path: str
    request_type: type[Message]
    response_type: type[Message]

    @classmethod
    def of(cls, method: MethodDescriptor) -> Rpc:
        if method.client_streaming or method.server_streaming:
            raise NotImplementedError(f"{method.full_name} streams: call it through the generated stub")
        return cls(method, f"/{method.containing_service.full_name}/{method.name}",
                   message_factory.GetMessageClass(method.input_type),
                   message_factory.GetMessageClass(method.output_type))

    def request(self, request: Message | None, fields: dict[str, Any]) -> Message:
        """The request as given, or built from keyword fields: Search(q="джаз")."""
        if request is None:
            return self.request_type(**fields)
        if fields:
            raise TypeError("pass either a request message or its fields as keywords, not both")
        if not isinstance(request, self.request_type):
            raise TypeError(f"{self.method.full_name} takes {self.request_type.DESCRIPTOR.full_name}, "
                            f"not {type(request).__name__}")
        return request


def named(call: Callable[..., Any], rpc: Rpc) -> Callable[..., Any]:
    """A bound method's name and signature for help() and tracebacks."""
    call.__name__ = call.__qualname__ = rpc.method.name
    call.__doc__ = (f"{rpc.method.full_name}({rpc.request_type.DESCRIPTOR.full_name}) -> "
                    f"{rpc.response_type.DESCRIPTOR.full_name}")
    return call


def metadata(token: str | None, extra: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return [*(() if token is None else (("authorization", f"Bearer {token}"),)), *extra]


def token_expiry(token: str) -> float | None:
    """The `exp` of a JWT, read without verifying it (the server verifies; the client only
    wants to know when to refresh)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, KeyError, TypeError, ValueError, binascii.Error):
        return None


def expired(token: str, now: float, margin: float = EXPIRY_MARGIN_SECONDS) -> bool:
    expiry = token_expiry(token)
    return expiry is not None and expiry <= now + margin


def refresh_may_help(error: errors.ApiError, token: str, now: float) -> bool:
    """A call refused as UNAUTHENTICATED because the access token expired: by the
    gateway's word (TOKEN_EXPIRED) or by its own `exp` (a service's clock, or ours)."""
    return isinstance(error, errors.Unauthenticated) and (error.reason == TOKEN_EXPIRED or expired(token, now, 0))


def session_is_over(error: errors.ApiError) -> bool:
    """A refresh refused for good (spent, revoked, unknown): the caller must sign in again.
    Anything else (the gateway or auth-service unreachable) leaves the tokens as they are."""
    return isinstance(error, errors.Unauthenticated | errors.InvalidArgument | errors.PermissionDenied)


def validation_error(request: Message) -> errors.InvalidArgument | None:
    """The contract's buf.validate rules checked here, before a round trip (optional)."""
    import protovalidate

    violations = protovalidate.collect_violations(request)
    if not violations:
        return None
    error = errors.InvalidArgument(grpc.StatusCode.INVALID_ARGUMENT,
                                   f"invalid {request.DESCRIPTOR.name}: {violations[0].proto.message}")
    error.reason = "INVALID_ARGUMENT"
    error.domain = "sdk.kulturago.ru"
    for violation in violations:
        names = [e.field_name for e in violation.proto.field.elements] if violation.proto.field else []
        path = ".".join(_json_name(name) for name in names) or "request"
        error.field_violations.append(errors.FieldViolation(path, violation.proto.message))
    return error


def _json_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# --- avatar upload ----------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    """The HTTP request that puts the image where the presign reply says."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes


def _required_headers(presign: Message, method: str, content_type: str) -> dict[str, str]:
    """The headers the upload must carry: every entry of the reply's `headers`, as given
    (PresignAvatarResponse.headers; empty for a POST policy, whose signed values are all
    form fields). A server from before that field: what a presigned PUT needs, a private
    ACL and the type."""
    if "headers" in presign.DESCRIPTOR.fields_by_name:
        return dict(getattr(presign, "headers"))  # noqa: B009 (a field newer stubs have)
    return {"x-amz-acl": "private", "content-type": content_type} if method == "PUT" else {}


def upload_request(presign: Message, data: bytes) -> Upload:
    """An S3 POST policy upload (every entry of `fields` as a form field, the image last
    as "file"; see PresignAvatarResponse), or a presigned PUT of the bytes."""
    reply: Any = presign
    content_type = reply.content_type or "image/jpeg"
    method = (reply.method or "POST").upper()
    required = _required_headers(presign, method, content_type)
    if method == "PUT":
        return Upload("PUT", reply.url, required, data)
    boundary = f"kulturago-{uuid.uuid4().hex}"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in sorted(reply.fields.items())]  # a map: any order, the file last
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="avatar"\r\n'
                 f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    # The form's own Content-Type (its boundary) is the HTTP client's, never a listed one.
    headers = {name: value for name, value in required.items() if name.lower() != "content-type"}
    headers["content-type"] = f"multipart/form-data; boundary={boundary}"
    return Upload("POST", reply.url, headers, b"".join(parts))


def send_upload(upload: Upload, timeout: float) -> None:
    """Blocking; the asyncio client runs it in a thread."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(upload.url, data=upload.body, method=upload.method, headers=upload.headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            reply.read()
    except urllib.error.HTTPError as refused:
        raise errors.UploadError(refused.code, refused.read().decode(errors="replace")) from None
