"""Requests that cannot be parsed become a 400 naming the field, not a 500.

The gateway forwards what clients send: a path or query parameter with invalid UTF-8
(`?q=%ff`) arrives as a proto string field that protobuf refuses to parse, and grpc
would answer INTERNAL with the parser's exception text. `tolerant` wraps a request
deserializer: on a parse error it returns an `Undecodable` naming the offending field
(found by walking the wire format), which the validation middleware turns into
InvalidArgument before any handler runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message


@dataclass(frozen=True, slots=True)
class Undecodable:
    field: str  # JSON path of the field, or "request" when no single field is to blame
    description: str


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise IndexError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def bad_utf8_field(descriptor: Any, data: bytes, prefix: str = "") -> str | None:
    """JSON path of the first string field (at any depth) whose bytes are not UTF-8."""
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == 0:
            _, pos = _varint(data, pos)
        elif wire_type == 1:
            pos += 8
        elif wire_type == 5:
            pos += 4
        elif wire_type == 2:
            length, pos = _varint(data, pos)
            chunk, pos = data[pos:pos + length], pos + length
            field = descriptor.fields_by_number.get(number)
            if field is None:
                continue
            path = prefix + field.json_name
            if field.type == FieldDescriptor.TYPE_STRING:
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError:
                    return path
            elif field.type == FieldDescriptor.TYPE_MESSAGE:
                found = bad_utf8_field(field.message_type, chunk, path + ".") if field.message_type else None
                if found:
                    return found
        else:
            return None  # groups: not in our contracts
    return None


def tolerant(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """`deserializer` (a generated `Message.FromString`), returning Undecodable instead of raising."""
    message_class = getattr(deserializer, "__self__", None)
    if deserializer is None or not (isinstance(message_class, type) and issubclass(message_class, Message)):
        return deserializer
    parse = deserializer
    descriptor = message_class.DESCRIPTOR

    def deserialize(data: bytes) -> Any:
        try:
            return parse(data)
        except DecodeError:
            try:
                field = bad_utf8_field(descriptor, data)
            except IndexError:
                field = None
            if field is None:
                return Undecodable("request", "not a valid encoding of the request")
            return Undecodable(field, "not valid UTF-8")
    return deserialize
