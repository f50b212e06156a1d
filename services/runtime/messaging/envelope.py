"""The event envelope of DESIGN.md: protobuf value, aggregate-id key, ce_* headers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.message import Message

from services.runtime.telemetry import inject_headers

CONTENT_TYPE = "application/protobuf"


@dataclass(frozen=True, slots=True)
class Envelope:
    ce_id: str
    topic: str
    key: bytes
    payload: bytes
    headers: dict[str, str]


def wrap(topic: str, key: str, message: Message, source: str) -> Envelope:
    ce_id = str(uuid.uuid4())
    headers = {
        "ce_id": ce_id,
        "ce_type": message.DESCRIPTOR.full_name,
        "ce_source": source,
        "ce_time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "content-type": CONTENT_TYPE,
        **inject_headers(),  # traceparent of the request that caused the event
    }
    return Envelope(ce_id, topic, key.encode(), message.SerializeToString(), headers)


def header_dict(raw: Sequence[tuple[str, str | bytes | None]] | dict[str, str | bytes | None] | None
                ) -> dict[str, str]:
    """Kafka headers as text (confluent-kafka gives a list of (name, bytes) pairs)."""
    pairs = raw.items() if isinstance(raw, dict) else (raw or [])
    return {k: v.decode("utf-8", "replace") if isinstance(v, bytes) else (v or "") for k, v in pairs}
