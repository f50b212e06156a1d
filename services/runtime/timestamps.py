"""datetime <-> google.protobuf.Timestamp, the one conversion every servicer needs."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp


def to_timestamp(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value.astimezone(UTC))
    return ts


def optional_timestamp(value: datetime | None) -> Timestamp | None:
    """None stays None, so an unset proto field stays unset."""
    return None if value is None else to_timestamp(value)


def from_timestamp(value: Timestamp) -> datetime:
    return value.ToDatetime(tzinfo=UTC)
