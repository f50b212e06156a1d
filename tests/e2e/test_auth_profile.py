"""The signed-in user's own card and profile through the gateway, and the Redis
profile cache behind them."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
import redis as redis_sync
from auth_support import Account, assert_bad_request, unverified_claims

PROFILE_FIELDS = {"id", "email", "login", "fullName", "phone", "city", "birthDate", "bio", "interests",
                  "avatar", "avatarUrl", "createTime", "updateTime"}
FILLED = {"fullName": "Анна Каренина", "phone": "+79161234567", "city": "Москва", "birthDate": "1990-05-17",
          "bio": "Люблю джаз", "interests": ["jazz", "theatre"]}


def ts(value: str) -> datetime:
    # Compare timestamps as times: proto JSON prints 0, 3, 6 or 9 fractional digits.
    return datetime.fromisoformat(value)


def get_profile(http: httpx.Client, account: Account) -> dict[str, Any]:
    reply = http.get("/api/v1/profile", headers=account.headers)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def put_profile(http: httpx.Client, account: Account, **fields: Any) -> httpx.Response:
    return http.put("/api/v1/profile", headers=account.headers, json=fields)


def updated(http: httpx.Client, account: Account, **fields: Any) -> dict[str, Any]:
    reply = put_profile(http, account, **fields)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def cached_profile(redis_client: redis_sync.Redis, account: Account) -> dict[str, Any] | None:
    raw = redis_client.get(f"profile:{account.id}")
    return json.loads(raw) if raw else None


def test_me_is_the_short_card_only(http: httpx.Client, account: Account) -> None:
    updated(http, account, fullName="Анна", city="Москва", phone="+79161234567")
    reply = http.get("/api/v1/me", headers=account.headers)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"id": account.id, "login": account.login, "fullName": "Анна", "avatarUrl": ""}


def test_profile_is_the_full_card(http: httpx.Client, account: Account) -> None:
    profile = get_profile(http, account)
    assert set(profile) == PROFILE_FIELDS
    assert (profile["id"], profile["email"], profile["login"]) == (account.id, account.email, account.login)
    assert profile["fullName"] == "Тест Тестович"  # given at sign-up by the account fixture
    assert (profile["phone"], profile["city"], profile["birthDate"], profile["bio"]) == ("", "", "", "")
    assert profile["interests"] == [] and profile["avatar"] == profile["avatarUrl"] == ""
    assert profile["createTime"] == profile["updateTime"]


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/profile"])
def test_reading_needs_an_access_token(http: httpx.Client, path: str) -> None:
    assert http.get(path).status_code == 401


def test_put_without_token_is_refused_and_changes_nothing(http: httpx.Client, account: Account) -> None:
    assert http.put("/api/v1/profile", json={"city": "Тверь"}).status_code == 401
    assert get_profile(http, account)["city"] == ""


class TestUpdate:
    def test_returns_the_new_profile_which_get_then_shows(self, http: httpx.Client, account: Account) -> None:
        profile = updated(http, account, **FILLED)
        assert {k: profile[k] for k in FILLED} == FILLED
        assert ts(profile["updateTime"]) > ts(profile["createTime"])
        assert get_profile(http, account) == profile

    def test_absent_fields_keep_their_values(self, http: httpx.Client, account: Account) -> None:
        before = updated(http, account, **FILLED)
        after = updated(http, account, city="Казань")
        assert after["city"] == "Казань"
        assert {k: after[k] for k in FILLED if k != "city"} == {k: before[k] for k in FILLED if k != "city"}
        assert ts(after["updateTime"]) > ts(before["updateTime"])

    def test_empty_strings_and_list_clear_fields(self, http: httpx.Client, account: Account) -> None:
        updated(http, account, **FILLED)
        after = updated(http, account, phone="", birthDate="", interests=[])
        assert (after["phone"], after["birthDate"], after["interests"]) == ("", "", [])
        assert after["city"] == FILLED["city"]

    def test_unchanged_values_do_not_touch_update_time(self, http: httpx.Client, account: Account) -> None:
        before = updated(http, account, **FILLED)
        after = updated(http, account, city=" Москва ", interests=["JAZZ", "theatre", "jazz"])
        assert after == before

    def test_text_is_trimmed_and_interests_normalised(self, http: httpx.Client, account: Account) -> None:
        profile = updated(http, account, fullName="  Лев  ", interests=["  Джаз ", "Современное   искусство", "ДЖАЗ"])
        assert profile["fullName"] == "Лев"
        assert profile["interests"] == ["джаз", "современное искусство"]

    @pytest.mark.parametrize(("field", "value"), [
        ("phone", "89161234567"),
        ("phone", "+7 916 123-45-67"),
        ("birthDate", "17.05.1990"),
        ("birthDate", "1990-02-30"),  # right shape, not a date: the domain rejects it
        ("birthDate", (date.today() + timedelta(days=2)).isoformat()),
        ("birthDate", "1899-12-31"),
        ("fullName", "x" * 201),
        ("interests", ["x"] * 31),
        ("interests", ["x" * 51]),
        # An object where the list belongs (the transcoder read one as an empty list, wiping them).
        ("interests", {"a": "b"}),
        ("interests", {}),
        ("interests", {"values": ["x"]}),
        ("interests", "x"),
        ("interests", 5),
        ("interests", [5]),
        ("avatar", "not-a-key.png"),
    ])
    def test_invalid_field_is_a_bad_request_and_changes_nothing(
            self, http: httpx.Client, account: Account, field: str, value: Any) -> None:
        before = updated(http, account, **FILLED)
        assert_bad_request(put_profile(http, account, city="Казань", **{field: value}), field)
        assert get_profile(http, account) == before

    def test_identity_and_roles_cannot_be_changed(self, http: httpx.Client, account: Account) -> None:
        before = get_profile(http, account)
        reply = put_profile(http, account, email="taken-over@example.com", login="admin", roles=["admin"],
                            id="00000000-0000-0000-0000-000000000000")
        assert reply.status_code in (200, 400), reply.text  # ignored or refused, never applied
        assert get_profile(http, account) == before
        token = http.post("/api/v1/auth/signin", json={"login": account.login, "password": account.password}).json()
        assert unverified_claims(token["accessToken"])["roles"] == ["user"]

    def test_a_json_null_counts_as_absent(self, http: httpx.Client, account: Account) -> None:
        before = updated(http, account, **FILLED)
        assert updated(http, account, phone=None, interests=None) == before


class TestCache:
    def test_reading_fills_the_cache(self, http: httpx.Client, account: Account,
                                     redis_client: redis_sync.Redis) -> None:
        redis_client.delete(f"profile:{account.id}")
        get_profile(http, account)
        cached = cached_profile(redis_client, account)
        assert cached is not None and cached["id"] == account.id
        assert 0 < redis_client.ttl(f"profile:{account.id}") <= 900

    def test_update_replaces_the_cached_profile(self, http: httpx.Client, account: Account,
                                                redis_client: redis_sync.Redis) -> None:
        assert get_profile(http, account)["city"] == ""
        assert cached_profile(redis_client, account)["city"] == ""  # type: ignore[index]

        updated(http, account, city="Казань", interests=["кино"])

        assert get_profile(http, account)["city"] == "Казань"
        cached = cached_profile(redis_client, account)
        assert cached is not None
        assert (cached["city"], cached["interests"]) == ("Казань", ["кино"])

    def test_profile_is_served_from_the_cache(self, http: httpx.Client, account: Account,
                                              redis_client: redis_sync.Redis) -> None:
        # What the cache holds is what clients see: proof that reads go through it
        # (and so that an update which forgot to refresh it would show stale data).
        get_profile(http, account)
        cached = cached_profile(redis_client, account)
        assert cached is not None
        redis_client.set(f"profile:{account.id}", json.dumps({**cached, "city": "Из кеша"}), ex=60)
        assert get_profile(http, account)["city"] == "Из кеша"
