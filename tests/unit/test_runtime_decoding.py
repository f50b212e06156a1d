"""A consumed payload as its protobuf message, or PoisonMessage naming the message and topic."""

from __future__ import annotations

import pytest

from kulturago.recommendation.v1 import events_pb2
from services.runtime.messaging.consumer import PoisonMessage, ReceivedEvent, is_permanent
from services.runtime.messaging.decoding import decode_event


def test_a_payload_decodes_as_its_message() -> None:
    sent = events_pb2.UserAction(user_id="u", action_id="a", kind=events_pb2.ACTION_KIND_VIEW, event_slug="s")
    event = ReceivedEvent("user.action", b"u", sent.SerializeToString(), {})
    assert decode_event(events_pb2.UserAction, event) == sent


def test_garbage_is_a_poison_message_never_retried() -> None:
    event = ReceivedEvent("user.action", b"u", b"\xff\xff\xff not protobuf", {})
    with pytest.raises(PoisonMessage) as caught:
        decode_event(events_pb2.UserAction, event)
    assert "kulturago.recommendation.v1.UserAction" in str(caught.value) and "user.action" in str(caught.value)
    assert is_permanent(caught.value)
