"""Bad input through the gateway is a 400 naming the field, for every service at once
(decided in services/runtime): invalid UTF-8 in a path or query parameter, NUL
characters in JSON strings, dates out of range. No message names an internal type."""

from __future__ import annotations

import httpx
import pytest
from auth_support import Account


def assert_field_error(reply: httpx.Response, field: str) -> None:
    assert reply.status_code == 400, reply.text
    body = reply.json()
    assert body["message"], "every 4xx carries a message"
    assert "Error" not in body["message"] and "<class" not in body["message"]
    fields = [v["field"] for d in body["details"] for v in d.get("fieldViolations", [])]
    assert field in fields, body


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/search?q=%ff%fe", "q"),
    ("/api/v1/events?city=%ff", "city"),
    ("/api/v1/events/%ff%fe", "slug"),
    ("/api/v1/geo/nearby?lat=55.75&lon=37.61&category=%ff", "category"),
    ("/api/v1/geo/eta?from=%ff&to=55.74,37.62", "from"),
    ("/api/v1/events?dateTo=9999-12-31", "dateTo"),
    ("/api/v1/search?q=jazz&dateTo=9999-12-31", "dateTo"),
    ("/api/v1/events?dateFrom=0001-01-01", "dateFrom"),
])
def test_undecodable_or_out_of_range_parameters_are_a_400_naming_the_field(
        http: httpx.Client, path: str, field: str) -> None:
    assert_field_error(http.get(path), field)


def test_nul_in_sign_in_and_sign_up_is_a_400(http: httpx.Client) -> None:
    assert_field_error(http.post("/api/v1/auth/signin", json={"login": "a\u0000b", "password": "x"}), "login")
    assert_field_error(http.post("/api/v1/auth/signup", json={
        "email": "nul@example.com", "login": "nul_user", "password": "a-long-pass-123",
        "fullName": "Анна\u0000"}), "fullName")


@pytest.mark.parametrize("field", ["city", "bio", "fullName"])
def test_nul_in_a_profile_field_is_a_400_and_changes_nothing(
        http: httpx.Client, account: Account, field: str) -> None:
    before = http.get("/api/v1/profile", headers=account.headers).json()
    assert_field_error(http.put("/api/v1/profile", json={field: "x\u0000y"}, headers=account.headers), field)
    assert http.get("/api/v1/profile", headers=account.headers).json() == before


def test_nul_in_interests_is_a_400(http: httpx.Client, account: Account) -> None:
    reply = http.put("/api/v1/profile", json={"interests": ["джаз", "\u0000"]}, headers=account.headers)
    assert_field_error(reply, "interests")
