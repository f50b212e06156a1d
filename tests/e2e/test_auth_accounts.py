"""Accounts through the gateway: sign-up, sign-in, refresh rotation with reuse
detection, logout, JWKS."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from auth_support import Account, assert_bad_request, assert_unauthenticated, error_reason, unverified_claims

SIGNUP, SIGNIN, REFRESH, LOGOUT = ("/api/v1/auth/signup", "/api/v1/auth/signin", "/api/v1/auth/refresh",
                                   "/api/v1/auth/logout")


def new_credentials() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:10]
    return {"email": f"Mixed.Case-{suffix}@Example.com", "login": f"Login_{suffix}", "password": f"pw-{suffix}-ok"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def me(http: httpx.Client, access_token: str) -> httpx.Response:
    return http.get("/api/v1/me", headers=bearer(access_token))


def refresh(http: httpx.Client, refresh_token: str) -> httpx.Response:
    return http.post(REFRESH, json={"refreshToken": refresh_token})


class TestSignUp:
    def test_returns_the_new_user(self, http: httpx.Client) -> None:
        creds = new_credentials()
        reply = http.post(SIGNUP, json={**creds, "fullName": "  Анна Каренина "})
        assert reply.status_code == 200, reply.text
        user = reply.json()
        assert set(user) == {"id", "email", "login", "fullName", "createTime"}  # never the password or hash
        assert uuid.UUID(user["id"])
        assert (user["email"], user["login"], user["fullName"]) == (creds["email"], creds["login"], "Анна Каренина")

    @pytest.mark.parametrize(("field", "transform", "reason"), [
        ("email", str.upper, "EMAIL_TAKEN"),
        ("email", str.lower, "EMAIL_TAKEN"),
        ("login", str.swapcase, "LOGIN_TAKEN"),
    ])
    def test_duplicate_email_or_login_is_a_conflict_regardless_of_case(
            self, http: httpx.Client, field: str, transform: Callable[[str], str], reason: str) -> None:
        first = new_credentials()
        assert http.post(SIGNUP, json=first).status_code == 200
        second = {**new_credentials(), field: transform(first[field])}
        reply = http.post(SIGNUP, json=second)
        assert reply.status_code == 409, reply.text
        assert reply.json()["code"] == 6  # ALREADY_EXISTS
        assert error_reason(reply) == reason
        # The loser's other, fresh identifier was not consumed by the failed attempt.
        other = "login" if field == "email" else "email"
        assert http.post(SIGNUP, json={**new_credentials(), other: second[other]}).status_code == 200

    @pytest.mark.parametrize(("field", "value"), [
        ("email", "not-an-email"),
        ("email", ""),
        ("login", "ab"),
        ("login", "has space"),
        ("login", "x" * 33),
        ("password", "short"),
        ("password", "p" * 129),
        ("fullName", "x" * 201),
    ])
    def test_invalid_field_is_a_bad_request_naming_it(self, http: httpx.Client, field: str, value: str) -> None:
        reply = http.post(SIGNUP, json={**new_credentials(), field: value})
        assert_bad_request(reply, field)
        assert error_reason(reply) == "INVALID_ARGUMENT"


class TestSignIn:
    @pytest.mark.parametrize("identifier", ["login", "email"])
    def test_returns_a_bearer_token_pair(self, http: httpx.Client, identifier: str) -> None:
        creds = new_credentials()
        user_id = http.post(SIGNUP, json=creds).json()["id"]
        # Login and e-mail are matched case-insensitively.
        reply = http.post(SIGNIN, json={"login": creds[identifier].swapcase(), "password": creds["password"]})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["expiresIn"] == 900 and body["tokenType"] == "Bearer"
        assert body["refreshToken"] and body["refreshToken"] != body["accessToken"]
        header = jwt.get_unverified_header(body["accessToken"])
        assert (header["alg"], header["typ"]) == ("EdDSA", "at+jwt")
        claims = unverified_claims(body["accessToken"])
        assert claims["sub"] == user_id and claims["exp"] - claims["iat"] == 900 and claims["roles"] == ["user"]
        assert me(http, body["accessToken"]).json()["id"] == user_id

    def test_wrong_password_and_unknown_account_look_the_same(self, http: httpx.Client, account: Account) -> None:
        wrong_password = http.post(SIGNIN, json={"login": account.login, "password": "not-the-password"})
        unknown = http.post(SIGNIN, json={"login": f"nobody_{uuid.uuid4().hex[:8]}", "password": "whatever-pw"})
        assert_unauthenticated(wrong_password)
        assert wrong_password.json() == unknown.json()  # nothing tells which accounts exist
        assert error_reason(unknown) == "INVALID_CREDENTIALS"

    def test_every_sign_in_opens_its_own_session(self, http: httpx.Client, account: Account) -> None:
        second = http.post(SIGNIN, json={"login": account.login, "password": account.password}).json()
        assert unverified_claims(second["accessToken"])["sid"] != unverified_claims(account.access_token)["sid"]
        # Logging one session out leaves the other signed in.
        assert http.post(LOGOUT, json={}, headers=bearer(second["accessToken"])).status_code == 200
        assert me(http, account.access_token).status_code == 200


class TestRefresh:
    def test_rotates_the_pair_within_the_session(self, http: httpx.Client, account: Account) -> None:
        reply = refresh(http, account.refresh_token)
        assert reply.status_code == 200, reply.text
        pair = reply.json()
        assert pair["expiresIn"] == 900 and pair["tokenType"] == "Bearer"
        assert pair["refreshToken"] != account.refresh_token and pair["accessToken"] != account.access_token
        old, new = unverified_claims(account.access_token), unverified_claims(pair["accessToken"])
        assert (new["sub"], new["sid"]) == (old["sub"], old["sid"]) and new["jti"] != old["jti"]
        assert me(http, pair["accessToken"]).status_code == 200
        # The new refresh token rotates again.
        assert refresh(http, pair["refreshToken"]).status_code == 200

    def test_reusing_a_rotated_token_revokes_the_whole_family(self, http: httpx.Client, account: Account) -> None:
        first = refresh(http, account.refresh_token).json()
        newest = refresh(http, first["refreshToken"]).json()
        assert me(http, newest["accessToken"]).status_code == 200

        replay = refresh(http, account.refresh_token)  # a stolen, already rotated token comes back
        assert_unauthenticated(replay)
        assert error_reason(replay) == "REFRESH_TOKEN_REUSED"

        # Everything of that session is dead now: the newest refresh token and every access token.
        assert_unauthenticated(refresh(http, newest["refreshToken"]))
        for access in (newest["accessToken"], first["accessToken"], account.access_token):
            assert_unauthenticated(me(http, access))
        # The user can still sign in again.
        assert http.post(SIGNIN, json={"login": account.login, "password": account.password}).status_code == 200

    @pytest.mark.parametrize("token", ["never-issued-token", "x" * 512])
    def test_unknown_token_is_unauthenticated(self, http: httpx.Client, token: str) -> None:
        reply = refresh(http, token)
        assert_unauthenticated(reply)
        assert error_reason(reply) == "REFRESH_TOKEN_INVALID"

    def test_empty_token_is_a_bad_request(self, http: httpx.Client) -> None:
        assert_bad_request(refresh(http, ""), "refreshToken")


class TestLogout:
    def test_ends_the_session(self, http: httpx.Client, account: Account) -> None:
        reply = http.post(LOGOUT, json={}, headers=account.headers)
        assert reply.status_code == 200, reply.text
        assert reply.json() == {}
        # The access token is still well-formed and unexpired: the service itself refuses it.
        assert error_reason(me(http, account.access_token)) == "SESSION_REVOKED"
        assert_unauthenticated(me(http, account.access_token))
        assert_unauthenticated(refresh(http, account.refresh_token))
        assert_unauthenticated(http.post(LOGOUT, json={}, headers=account.headers))
        # Every RPC checks the session, writes included.
        assert_unauthenticated(http.get("/api/v1/profile", headers=account.headers))
        assert_unauthenticated(http.put("/api/v1/profile", json={"city": "Тверь"}, headers=account.headers))
        assert_unauthenticated(http.get("/api/v1/avatar/presign", headers=account.headers))

    def test_works_without_a_body(self, http: httpx.Client, account: Account) -> None:
        assert http.post(LOGOUT, headers=account.headers).status_code == 200
        assert_unauthenticated(me(http, account.access_token))

    def test_needs_an_access_token(self, http: httpx.Client, account: Account) -> None:
        assert_unauthenticated(http.post(LOGOUT, json={}))
        assert_unauthenticated(http.post(LOGOUT, json={}, headers=bearer(account.refresh_token)))
        assert me(http, account.access_token).status_code == 200


def test_jwks_publishes_only_the_public_key(http: httpx.Client, account: Account) -> None:
    reply = http.get("/.well-known/jwks.json")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    keys: list[dict[str, Any]] = reply.json()["keys"]
    assert len(keys) >= 1
    for key in keys:
        assert "d" not in key  # private part
        assert key["use"] == "sig" and key["alg"] in ("EdDSA", "ES256") and key["kid"]
    # The published key verifies the tokens auth-service issues.
    kid = jwt.get_unverified_header(account.access_token)["kid"]
    jwk = next(k for k in keys if k["kid"] == kid)
    claims = jwt.decode(account.access_token, jwt.PyJWK(jwk).key, algorithms=[jwk["alg"]], audience="kulturago-api")
    assert claims["sub"] == account.id
