"""A consumed event's protobuf payload, or PoisonMessage: bytes that do not parse as the
topic's message are not going to parse on a retry, so they go to the dead-letter topic."""

from __future__ import annotations

from typing import TypeVar

from google.protobuf.message import DecodeError, Message

from services.runtime.messaging.consumer import PoisonMessage, ReceivedEvent

M = TypeVar("M", bound=Message)


def decode_event(kind: type[M], event: ReceivedEvent) -> M:
    try:
        return kind.FromString(event.payload)
    except DecodeError as exc:
        raise PoisonMessage(f"undecodable {kind.DESCRIPTOR.full_name} on {event.topic}: {exc}") from exc
