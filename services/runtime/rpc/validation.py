"""Validation middleware: the buf.validate rules written in the protos, enforced on
every request before a handler sees it."""

from __future__ import annotations

import re
from typing import Any

import protovalidate
from buf.validate import validate_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from services.runtime import errors
from services.runtime.logging import get_logger
from services.runtime.rpc.decoding import Undecodable
from services.runtime.rpc.pipeline import PerMessageMiddleware

log = get_logger(__name__)
_SNAKE = re.compile(r"_([a-z0-9])")


def json_name(proto_name: str) -> str:
    """proto3 JSON name of a field: clients see `fullName`, not `full_name`."""
    return _SNAKE.sub(lambda m: m.group(1).upper(), proto_name)


def violations_of(message: Any) -> list[errors.FieldViolation]:
    try:
        violations = protovalidate.collect_violations(message)
    except protovalidate.EvaluationError as exc:
        # A rule that cannot be evaluated on this input (an overflow in CEL arithmetic):
        # the input is out of any sane range, so it is the client's error, not a 500.
        log.warning("validation rule could not be evaluated", message=message.DESCRIPTOR.full_name,
                    error=str(exc))
        return [errors.FieldViolation("request", "a value is outside the range the contract can check")]
    found = []
    for violation in violations:
        elements = violation.proto.field.elements if violation.proto.field else []
        names = [e.field_name for e in elements]
        if named := _field_named_by_rule(message.DESCRIPTOR, names, violation.proto.rule_id):
            names.append(named)
        path = ".".join(json_name(name) for name in names)
        found.append(errors.FieldViolation(path or "request", violation.proto.message))
    return found


def _field_named_by_rule(root: Descriptor, names: list[str], rule_id: str) -> str | None:
    """A rule between fields is declared on their message, so protovalidate reports it on
    the message; our contracts name the field to blame first in the rule's id
    (`price.paid_needs_a_price` on Event), and the client is told that field."""
    descriptor: Descriptor | None = root
    for name in names:
        field = descriptor.fields_by_name.get(name) if descriptor else None
        descriptor = field.message_type if field else None
    if descriptor is None:
        return None
    options: Any = descriptor.GetOptions()  # the generated stubs type extensions loosely
    declared = {rule.id for rule in options.Extensions[validate_pb2.message].cel}
    first = rule_id.split(".", 1)[0]
    return first if rule_id in declared and first in descriptor.fields_by_name else None


def nul_violations(message: Message, prefix: str = "") -> list[errors.FieldViolation]:
    """String fields (at any depth, map keys too) holding U+0000: no text of ours contains
    it, and PostgreSQL refuses it in text, so it is bad input wherever it appears."""
    found = []
    for field, value in message.ListFields():
        texts: list[str] = []
        children: list[Message] = []
        if _is_map(field):
            items = list(value.items())
            texts = [k for k, _ in items if isinstance(k, str)]
            entry_value = field.message_type.fields_by_name["value"]  # type: ignore[union-attr]
            if entry_value.type == FieldDescriptor.TYPE_STRING:
                texts += [v for _, v in items]
            elif entry_value.type == FieldDescriptor.TYPE_MESSAGE:
                children = [v for _, v in items]
        elif field.type == FieldDescriptor.TYPE_STRING:
            texts = list(value) if _is_repeated(field) else [value]
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            children = list(value) if _is_repeated(field) else [value]
        path = prefix + field.json_name
        if any("\x00" in text for text in texts):
            found.append(errors.FieldViolation(path, "must not contain the NUL character (\\u0000)"))
        for child in children:
            inner = nul_violations(child, path + ".")
            if inner and child.DESCRIPTOR.full_name in _JSON_VALUES:
                # Inside a JSON value the client sees one field (`interests`), not ListValue's parts.
                inner = [errors.FieldViolation(path, inner[0].description)]
            found += inner
    return found


_JSON_VALUES = frozenset({"google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Struct"})


def _is_repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


def _is_map(field: FieldDescriptor) -> bool:
    entry = field.message_type
    return _is_repeated(field) and entry is not None and entry.GetOptions().map_entry


def validate(message: Any) -> None:
    """Raise InvalidArgument naming every offending field of `message`."""
    if isinstance(message, Undecodable):
        raise errors.InvalidArgument.on_field(message.field, message.description)
    # An empty request (GetMe, GetProfile, ...) has nothing to validate.
    violations = nul_violations(message) + violations_of(message) if message.DESCRIPTOR.fields else []
    if violations:
        first = violations[0]
        raise errors.InvalidArgument(
            f"invalid {first.field}: {first.description}",
            "INVALID_ARGUMENT",
            {"field": first.field},
            violations,
        )


class ValidationMiddleware(PerMessageMiddleware):
    def each(self, message: Any) -> None:
        validate(message)
