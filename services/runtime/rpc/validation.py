"""Validation middleware: the buf.validate rules written in the protos, enforced on
every request before a handler sees it."""

from __future__ import annotations

import re
from typing import Any

import grpc
import protovalidate

from services.runtime import errors
from services.runtime.rpc.pipeline import Handler

_SNAKE = re.compile(r"_([a-z0-9])")


def json_name(proto_name: str) -> str:
    """proto3 JSON name of a field: clients see `fullName`, not `full_name`."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), proto_name)


def violations_of(message: Any) -> list[errors.FieldViolation]:
    found = []
    for violation in protovalidate.collect_violations(message):
        elements = violation.proto.field.elements if violation.proto.field else []
        path = ".".join(json_name(e.field_name) for e in elements)
        found.append(errors.FieldViolation(path or "request", violation.proto.message))
    return found


class ValidationMiddleware:
    async def __call__(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                       call_next: Handler) -> Any:
        # An empty request (GetMe, GetProfile, ...) has nothing to validate.
        violations = violations_of(request) if request.DESCRIPTOR.fields else []
        if violations:
            first = violations[0]
            raise errors.InvalidArgument(
                f"invalid {first.field}: {first.description}",
                "INVALID_ARGUMENT",
                {"field": first.field},
                violations,
            )
        return await call_next(request, context)
