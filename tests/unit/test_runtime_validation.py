"""Unit tests for services/runtime/rpc/validation.py: the buf.validate rules of our
protos, reported with the JSON field names clients send."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2

from kulturago.auth.v1 import auth_service_pb2 as pb
from services.runtime.rpc.validation import json_name, violations_of


@pytest.mark.parametrize(("proto", "json"), [
    ("full_name", "fullName"),
    ("birth_date", "birthDate"),
    ("avatar_url", "avatarUrl"),
    ("refresh_token", "refreshToken"),
    ("email", "email"),
    ("utm_source_2", "utmSource2"),
])
def test_json_name_is_lower_camel_case(proto: str, json: str) -> None:
    assert json_name(proto) == json


@pytest.mark.parametrize("descriptor", [pb.SignUpRequest.DESCRIPTOR, pb.UpdateProfileRequest.DESCRIPTOR,
                                        pb.Profile.DESCRIPTOR], ids=lambda d: d.name)
def test_json_name_agrees_with_protobuf(descriptor: object) -> None:
    for field in descriptor.fields:  # type: ignore[attr-defined]
        assert json_name(field.name) == field.json_name


def fields_of(message: object) -> list[str]:
    return [v.field for v in violations_of(message)]


def test_valid_requests_have_no_violations() -> None:
    assert fields_of(pb.SignUpRequest(email="anna@example.com", login="anna_k", password="long-enough")) == []
    assert fields_of(pb.UpdateProfileRequest()) == []  # everything absent: a valid no-op


def test_sign_up_reports_every_bad_field() -> None:
    assert fields_of(pb.SignUpRequest(email="not-an-email", login="a b", password="short")) == [
        "email", "login", "password"]


@pytest.mark.parametrize(("request_fields", "field"), [
    ({"phone": "89161234567"}, "phone"),
    ({"phone": "+0123456789"}, "phone"),
    ({"birth_date": "17.05.1990"}, "birthDate"),
    ({"full_name": "x" * 201}, "fullName"),
    ({"city": "x" * 101}, "city"),
    ({"bio": "x" * 2001}, "bio"),
    ({"avatar": "../../etc/passwd"}, "avatar"),
    ({"avatar": "A" * 64 + ".jpg"}, "avatar"),
])
def test_update_profile_field_rules(request_fields: dict[str, str], field: str) -> None:
    assert fields_of(pb.UpdateProfileRequest(**request_fields)) == [field]


@pytest.mark.parametrize("values", [
    ["x"] * 31,  # too many
    [""],  # empty string
    ["x" * 51],  # too long
    [1.0],  # not a string
], ids=["31-items", "empty", "51-chars", "number"])
def test_interests_rule(values: list[object]) -> None:
    interests = struct_pb2.ListValue()
    interests.extend(values)
    assert fields_of(pb.UpdateProfileRequest(interests=interests)) == ["interests"]


def test_optional_fields_may_be_cleared_with_empty_strings() -> None:
    assert fields_of(pb.UpdateProfileRequest(phone="", birth_date="", full_name="")) == []
