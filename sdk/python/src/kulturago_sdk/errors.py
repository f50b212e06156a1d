"""Typed errors: every failed call raises an `ApiError` subclass chosen by its gRPC code,
carrying what the server put in grpc-status-details-bin (google.rpc.Status): the
ErrorInfo (reason, domain, metadata), the BadRequest field violations and RetryInfo.
The services and the gateway alike send them (the gateway's domain is
gateway.kulturago.ru)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2

__all__ = [
    "Aborted",
    "AlreadyExists",
    "ApiError",
    "Cancelled",
    "DeadlineExceeded",
    "FailedPrecondition",
    "FieldViolation",
    "Internal",
    "InvalidArgument",
    "KulturaGoError",
    "NotFound",
    "PermissionDenied",
    "ResourceExhausted",
    "Unauthenticated",
    "Unavailable",
    "Unimplemented",
    "UploadError",
    "from_rpc_error",
]

DETAILS_KEY = "grpc-status-details-bin"


class KulturaGoError(Exception):
    """Base of everything this SDK raises."""


@dataclass(frozen=True)
class FieldViolation:
    field: str  # the JSON name path, e.g. "email" or "event.sessions.endTime"
    description: str


class ApiError(KulturaGoError, grpc.RpcError):  # type: ignore[misc]  # grpc has no type hints
    """A call the API refused. Also a grpc.RpcError, so code catching those still works."""

    def __init__(self, code: grpc.StatusCode, message: str, status: status_pb2.Status | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status  # the whole google.rpc.Status, when the server sent one
        self.reason = ""
        self.domain = ""
        self.metadata: dict[str, str] = {}
        self.field_violations: list[FieldViolation] = []
        self.retry_after: float | None = None  # seconds, from RetryInfo
        for detail in status.details if status else ():
            info, bad, retry = (error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest(),
                                error_details_pb2.RetryInfo())
            if detail.Unpack(info):
                self.reason, self.domain, self.metadata = info.reason, info.domain, dict(info.metadata)
            elif detail.Unpack(bad):
                self.field_violations += [FieldViolation(v.field, v.description) for v in bad.field_violations]
            elif detail.Unpack(retry):
                self.retry_after = retry.retry_delay.seconds + retry.retry_delay.nanos / 1e9

    @property
    def fields(self) -> list[str]:
        """The fields the server blamed, in its order."""
        return [v.field for v in self.field_violations]

    def __str__(self) -> str:
        reason = f" [{self.reason}]" if self.reason else ""
        return f"{self.code.name}{reason}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code.name}, {self.message!r}, reason={self.reason!r})"


class InvalidArgument(ApiError):
    """Bad input; `field_violations` name the fields."""


class Unauthenticated(ApiError):
    """No valid access token (TOKEN_MISSING, TOKEN_INVALID, ...) or bad credentials."""


class PermissionDenied(ApiError):
    pass


class NotFound(ApiError):
    pass


class AlreadyExists(ApiError):
    pass


class Aborted(ApiError):
    """The request collided with the current state (sold out, a seat taken): decide anew."""


class FailedPrecondition(ApiError):
    pass


class ResourceExhausted(ApiError):
    """Rate-limited or throttled: `retry_after` (or metadata retryAfterSeconds) says when."""


class Unavailable(ApiError):
    """A dependency is down; nothing changed and the call can be retried."""


class DeadlineExceeded(ApiError):
    pass


class Unimplemented(ApiError):
    pass


class Internal(ApiError):
    pass


class Cancelled(ApiError):
    pass


_BY_CODE: dict[grpc.StatusCode, type[ApiError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.ABORTED: Aborted,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.UNIMPLEMENTED: Unimplemented,
    grpc.StatusCode.INTERNAL: Internal,
    grpc.StatusCode.CANCELLED: Cancelled,
}


def _status(trailing_metadata: Any) -> status_pb2.Status | None:
    for key, value in trailing_metadata or ():
        if key == DETAILS_KEY:
            try:
                return status_pb2.Status.FromString(value)
            except Exception:  # a proxy's garbage: the plain code and message still hold
                return None
    return None


def from_rpc_error(error: grpc.RpcError) -> ApiError:
    """The typed error of a failed call (a grpc.RpcError or grpc.aio.AioRpcError)."""
    call: Any = error  # both kinds are also a grpc.Call with code/details/trailing_metadata
    code: grpc.StatusCode = call.code()
    return _BY_CODE.get(code, ApiError)(code, call.details() or "", _status(call.trailing_metadata()))


class UploadError(KulturaGoError):
    """The object store refused an upload (a presigned URL gone stale, a wrong size)."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"upload refused: HTTP {status}: {body[:500]}")
        self.http_status = status
        self.body = body
