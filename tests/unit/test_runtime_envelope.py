"""Unit tests for the event envelope (services/runtime/messaging/envelope.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from kulturago.auth.v1 import events_pb2
from services.runtime.messaging.envelope import CONTENT_TYPE, header_dict, wrap


def test_wrap_builds_cloudevents_headers_and_protobuf_payload() -> None:
    message = events_pb2.UserUpdated(user_id="u-1", changed_fields=["city"])
    env = wrap("user.updated", "u-1", message, "//auth.kulturago/auth-service")
    assert (env.topic, env.key) == ("user.updated", b"u-1")
    assert events_pb2.UserUpdated.FromString(env.payload) == message
    assert env.headers["ce_id"] == env.ce_id and uuid.UUID(env.ce_id)
    assert env.headers["ce_type"] == "kulturago.auth.v1.UserUpdated"
    assert env.headers["ce_source"] == "//auth.kulturago/auth-service"
    assert env.headers["content-type"] == CONTENT_TYPE == "application/protobuf"
    assert env.headers["ce_time"].endswith("Z") and datetime.fromisoformat(env.headers["ce_time"]).tzinfo


def test_every_event_gets_its_own_id() -> None:
    message = events_pb2.UserUpdated(user_id="u-1")
    assert wrap("t", "k", message, "s").ce_id != wrap("t", "k", message, "s").ce_id


def test_header_dict_decodes_kafka_headers() -> None:
    assert header_dict([("ce_id", b"abc"), ("empty", None), ("bad", b"\xff")]) == {
        "ce_id": "abc", "empty": "", "bad": "\ufffd"}
    assert header_dict(None) == {}
