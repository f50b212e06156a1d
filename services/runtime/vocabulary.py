"""The fixed word lists of the API (categories, cities, `when`, travel modes, ...) are
defined in the contracts, as the buf.validate `in` rule of a request or resource field:
protovalidate enforces them in every service (ValidationMiddleware), generated SDKs and
docs show them. Python code that needs a list reads it here instead of keeping a copy."""

from __future__ import annotations

from typing import Any

from buf.validate import validate_pb2
from google.protobuf.message import Message

__all__ = ["words"]


def words(message: type[Message], field: str) -> tuple[str, ...]:
    """The words the `in` rule of `message.field` allows, in their proto order, without
    "" (which only says the field may be left empty). For a repeated field, the rule of
    its items. Raises when the field has no such rule: a vocabulary must be declared."""
    descriptor = message.DESCRIPTOR
    options: Any = descriptor.fields_by_name[field].GetOptions()  # stubs type extensions loosely
    rules = options.Extensions[validate_pb2.field]
    string_rules = rules.repeated.items.string if rules.HasField("repeated") else rules.string
    allowed = tuple(w for w in getattr(string_rules, "in") if w)  # `in` is a Python keyword
    if not allowed:
        raise ValueError(f"{descriptor.full_name}.{field} has no buf.validate string `in` rule")
    return allowed
