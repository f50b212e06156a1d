"""Error mapping middleware: ServiceError -> google.rpc.Status with ErrorInfo (and
BadRequest field violations). Envoy's convert_grpc_status renders it as JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.runtime import errors
from services.runtime.logging import get_logger
from services.runtime.rpc.pipeline import Handler, StreamHandler

log = get_logger(__name__)

_CODES: dict[type[errors.ServiceError], int] = {
    errors.InvalidArgument: code_pb2.INVALID_ARGUMENT,
    errors.Unauthenticated: code_pb2.UNAUTHENTICATED,
    errors.PermissionDenied: code_pb2.PERMISSION_DENIED,
    errors.NotFound: code_pb2.NOT_FOUND,
    errors.AlreadyExists: code_pb2.ALREADY_EXISTS,
    errors.Conflict: code_pb2.ABORTED,
    errors.FailedPrecondition: code_pb2.FAILED_PRECONDITION,
    errors.ResourceExhausted: code_pb2.RESOURCE_EXHAUSTED,
    errors.Unavailable: code_pb2.UNAVAILABLE,
}


# How Envoy's transcoder (and our own HTTP endpoints) answer each code over HTTP.
HTTP_STATUS: dict[int, int] = {
    code_pb2.INVALID_ARGUMENT: 400, code_pb2.UNAUTHENTICATED: 401, code_pb2.PERMISSION_DENIED: 403,
    code_pb2.NOT_FOUND: 404, code_pb2.ALREADY_EXISTS: 409, code_pb2.ABORTED: 409,
    code_pb2.FAILED_PRECONDITION: 400, code_pb2.RESOURCE_EXHAUSTED: 429, code_pb2.UNAVAILABLE: 503,
}


def to_status(error: errors.ServiceError, domain: str) -> grpc.Status:
    return rpc_status.to_status(status_message(error, domain))


def status_message(error: errors.ServiceError, domain: str) -> status_pb2.Status:
    """The google.rpc.Status of `error`: its code, message, ErrorInfo and field violations
    (what the gateway renders as the JSON error body)."""
    code = _CODES.get(type(error), code_pb2.UNKNOWN)
    for cls, mapped in _CODES.items():
        if isinstance(error, cls):
            code = mapped
            break
    details = []
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=error.reason, domain=domain, metadata=error.metadata))
    details.append(info)
    if error.violations:
        bad = any_pb2.Any()
        bad.Pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in error.violations
        ]))
        details.append(bad)
    return status_pb2.Status(code=code, message=error.message, details=details)


class ErrorMiddleware:
    def __init__(self, domain: str) -> None:
        self._domain = domain  # ErrorInfo.domain, e.g. "auth.kulturago.ru"

    async def _abort(self, context: grpc.aio.ServicerContext, method: str, error: Exception) -> None:
        if isinstance(error, errors.ServiceError):
            status = to_status(error, self._domain)
            await context.abort(status.code, status.details, status.trailing_metadata)
        log.error("unhandled error", method=method, exc_info=error)
        status = to_status(errors.ServiceError("internal error", "INTERNAL"), self._domain)
        await context.abort(grpc.StatusCode.INTERNAL, status.details, status.trailing_metadata)

    async def __call__(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                       call_next: Handler) -> Any:
        try:
            return await call_next(request, context)
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await self._abort(context, method, error)

    async def stream(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                     call_next: StreamHandler) -> AsyncIterator[Any]:
        try:
            async for response in call_next(request, context):
                yield response
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await self._abort(context, method, error)
