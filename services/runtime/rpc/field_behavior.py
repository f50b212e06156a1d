"""Output-only fields (google.api.field_behavior = OUTPUT_ONLY: ids, create times,
versions, ratings) are the server's to fill. A client that sends one, e.g. a whole
Event read back and published again, has it cleared before validation and before any
handler sees the request, in every service alike: it is ignored, never stored.

Which fields to clear is worked out once per message type from the descriptors; a
request type without output-only fields (nearly all of them) costs one dict lookup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.api import field_behavior_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from services.runtime.rpc.pipeline import PerMessageMiddleware

__all__ = ["OutputOnlyMiddleware", "clear_output_only", "is_output_only"]

_SINGLE, _REPEATED, _MAP = range(3)


@dataclass(frozen=True, slots=True)
class _Plan:
    output_only: tuple[str, ...]  # fields of this message to clear
    nested: tuple[tuple[str, int], ...]  # (message field, shape) that hold output-only fields deeper down

    @property
    def empty(self) -> bool:
        return not self.output_only and not self.nested


_NOTHING = _Plan((), ())
_plans: dict[str, _Plan] = {}


def is_output_only(field: FieldDescriptor) -> bool:
    options: Any = field.GetOptions()  # the stubs type extensions loosely
    return field_behavior_pb2.OUTPUT_ONLY in options.Extensions[field_behavior_pb2.field_behavior]


def _shape(field: FieldDescriptor) -> int:
    if not field.is_repeated:
        return _SINGLE
    entry = field.message_type
    return _MAP if entry is not None and entry.GetOptions().map_entry else _REPEATED


def _plan(message: Descriptor, visiting: frozenset[str] = frozenset()) -> _Plan:
    cached = _plans.get(message.full_name)
    if cached is not None:
        return cached
    if message.full_name in visiting:  # a recursive type (google.protobuf.Value): its own plan decides
        return _NOTHING
    output_only: list[str] = []
    nested: list[tuple[str, int]] = []
    for field in message.fields:
        if is_output_only(field):
            output_only.append(field.name)
            continue
        if field.message_type is None:
            continue
        shape = _shape(field)
        target = field.message_type.fields_by_name["value"].message_type if shape == _MAP else field.message_type
        if target is not None and not _plan(target, visiting | {message.full_name}).empty:
            nested.append((field.name, shape))
    plan = _Plan(tuple(output_only), tuple(nested))
    if not visiting:  # only a complete walk is cached (inner ones may have cut a cycle short)
        _plans[message.full_name] = plan
    return plan


def clear_output_only(message: Any) -> None:
    """Clears, in place, every output-only field of `message` and of the messages in it."""
    plan = _plan(message.DESCRIPTOR)
    if plan.empty:
        return
    for name in plan.output_only:
        message.ClearField(name)
    for name, shape in plan.nested:
        if shape == _SINGLE:
            if message.HasField(name):
                clear_output_only(getattr(message, name))
        else:
            values = getattr(message, name)
            for child in values.values() if shape == _MAP else values:
                clear_output_only(child)


class OutputOnlyMiddleware(PerMessageMiddleware):
    """Runs before validation: a value the server ignores must not fail the request either."""

    def each(self, message: Any) -> None:
        if hasattr(message, "DESCRIPTOR"):  # not an undecodable request (validation answers those)
            clear_output_only(message)
