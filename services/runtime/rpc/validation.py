"""Validation middleware: the buf.validate rules written in the protos, enforced on
every request before a handler sees it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import grpc
import protovalidate

from services.runtime import errors
from services.runtime.rpc.pipeline import Handler, StreamHandler

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


def validate(message: Any) -> None:
    """Raise InvalidArgument naming every offending field of `message`."""
    # An empty request (GetMe, GetProfile, ...) has nothing to validate.
    violations = violations_of(message) if message.DESCRIPTOR.fields else []
    if violations:
        first = violations[0]
        raise errors.InvalidArgument(
            f"invalid {first.field}: {first.description}",
            "INVALID_ARGUMENT",
            {"field": first.field},
            violations,
        )


async def _validated(messages: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """A client stream whose every message is checked before the handler sees it."""
    async for message in messages:
        validate(message)
        yield message


def _checked(request: Any) -> Any:
    if hasattr(request, "__aiter__"):
        return _validated(request)
    validate(request)
    return request


class ValidationMiddleware:
    async def __call__(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                       call_next: Handler) -> Any:
        return await call_next(_checked(request), context)

    async def stream(self, request: Any, context: grpc.aio.ServicerContext, method: str,
                     call_next: StreamHandler) -> AsyncIterator[Any]:
        async for response in call_next(_checked(request), context):
            yield response
