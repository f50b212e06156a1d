"""Bad input decided once, in the runtime: unparseable strings and NUL characters are
a 400 naming the field (services/runtime/rpc/decoding.py, validation.py), and dates
out of range are refused before any arithmetic (services/runtime/time_windows.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kulturago.auth.v1 import auth_service_pb2 as auth_pb
from kulturago.event.v1 import event_service_pb2 as event_pb
from services.runtime import errors
from services.runtime.rpc.decoding import Undecodable, bad_utf8_field, tolerant
from services.runtime.rpc.validation import nul_violations, validate
from services.runtime.time_windows import window

NOW = datetime(2026, 11, 29, 21, 30, tzinfo=UTC)


def _with_bad_utf8(message: object, good: str) -> bytes:
    """The serialized message with the UTF-8 of `good` replaced by invalid bytes of the same length."""
    data = message.SerializeToString()  # type: ignore[attr-defined]
    return data.replace(good.encode(), b"\xff\xfe" + b"x" * (len(good.encode()) - 2))


def test_invalid_utf8_in_a_top_level_string_names_the_field() -> None:
    data = _with_bad_utf8(event_pb.ListEventsRequest(city="moscow", page_size=5), "moscow")
    parsed = tolerant(event_pb.ListEventsRequest.FromString)(data)  # type: ignore[misc]
    assert parsed == Undecodable("city", "not valid UTF-8")
    with pytest.raises(errors.InvalidArgument) as caught:
        validate(parsed)
    assert [v.field for v in caught.value.violations] == ["city"]
    assert "DecodeError" not in caught.value.message


def test_invalid_utf8_in_a_nested_string_names_its_path() -> None:
    request = event_pb.PublishEventRequest(event=event_pb.Event(slug="ok", place=event_pb.Place(name="Зал")))
    data = _with_bad_utf8(request, "Зал")
    assert bad_utf8_field(event_pb.PublishEventRequest.DESCRIPTOR, data) == "event.place.name"


def test_valid_input_is_parsed_as_usual_and_garbage_blames_the_request() -> None:
    request = auth_pb.SignInRequest(login="anna", password="pw")
    assert tolerant(auth_pb.SignInRequest.FromString)(request.SerializeToString()) == request  # type: ignore[misc]
    assert tolerant(auth_pb.SignInRequest.FromString)(b"\x0a\xff") == Undecodable(  # type: ignore[misc]
        "request", "not a valid encoding of the request")


def test_nul_characters_are_refused_wherever_they_are() -> None:
    assert [v.field for v in nul_violations(auth_pb.SignInRequest(login="a\x00b", password="pw"))] == ["login"]
    profile = auth_pb.UpdateProfileRequest(city="Мо\x00сква", interests=["джаз", "те\x00атр"])
    assert {v.field for v in nul_violations(profile)} == {"city", "interests"}
    nested = event_pb.PublishEventRequest(event=event_pb.Event(slug="s", tags=["ok", "\x00"]))
    assert [v.field for v in nul_violations(nested)] == ["event.tags"]
    assert nul_violations(auth_pb.SignInRequest(login="anna", password="pw")) == []
    with pytest.raises(errors.InvalidArgument) as caught:
        validate(auth_pb.SignInRequest(login="\x00", password="pw"))
    assert caught.value.metadata == {"field": "login"}


@pytest.mark.parametrize(("field", "kwargs"), [
    ("dateTo", {"date_to": "9999-12-31"}),
    ("dateFrom", {"date_from": "0001-01-01"}),
    ("dateTo", {"date_from": "2026-12-01", "date_to": "2101-01-01"}),
])
def test_dates_out_of_range_are_a_field_error_not_an_overflow(field: str, kwargs: dict[str, str]) -> None:
    with pytest.raises(errors.InvalidArgument) as caught:
        window(NOW, **kwargs)
    assert caught.value.metadata == {"field": field}


def test_the_last_allowed_day_still_works() -> None:
    assert window(NOW, date_to="2100-12-31").end is not None


def test_a_rule_that_cannot_be_evaluated_is_a_400_not_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    """protovalidate raises (instead of reporting a violation) when CEL arithmetic overflows
    on absurd input; that is still the client's bad input."""
    import protovalidate

    def overflowing(message: object) -> list[object]:
        raise protovalidate.EvaluationError("timestamp overflow")

    monkeypatch.setattr(protovalidate, "collect_violations", overflowing)
    with pytest.raises(errors.InvalidArgument) as caught:
        validate(auth_pb.SignInRequest(login="anna", password="pw"))
    assert [v.field for v in caught.value.violations] == ["request"]
