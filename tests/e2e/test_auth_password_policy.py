"""The password rules of sign-up through the gateway (common passwords, the login or
e-mail inside, blank), and Unicode normalisation: NFD and NFC forms of one password are
the same password, and a hash made before normalisation is replaced at the next sign-in."""

from __future__ import annotations

import unicodedata
import uuid

import httpx
import psycopg
import pytest
from argon2 import PasswordHasher
from auth_support import assert_bad_request, error_reason
from conftest import database_url

SIGNUP, SIGNIN = "/api/v1/auth/signup", "/api/v1/auth/signin"
TYPED = "Ёлка-в-лесу-2025"  # "Ё" and "й" have a composed (NFC) and a decomposed (NFD) form


def credentials() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:10]
    return {"email": f"Pass.Word-{suffix}@example.com", "login": f"pw_user_{suffix}", "password": f"pw-{suffix}-ok"}


@pytest.mark.parametrize(("password", "reason"), [
    ("password", "PASSWORD_TOO_COMMON"),
    ("12345678", "PASSWORD_TOO_COMMON"),
    ("Password1", "PASSWORD_TOO_COMMON"),
    ("        ", "PASSWORD_BLANK"),
    ("{login}", "PASSWORD_CONTAINS_IDENTITY"),
    ("{LOGIN}-2025", "PASSWORD_CONTAINS_IDENTITY"),
    ("my-{email_name}!", "PASSWORD_CONTAINS_IDENTITY"),
])
def test_a_weak_password_is_a_400_on_password_and_creates_nothing(http: httpx.Client, password: str,
                                                                  reason: str) -> None:
    creds = credentials()
    email_name = creds["email"].split("@")[0].lower()
    weak = password.format(login=creds["login"], LOGIN=creds["login"].upper(), email_name=email_name)
    reply = http.post(SIGNUP, json={**creds, "password": weak})
    assert_bad_request(reply, "password")
    assert error_reason(reply) == reason
    assert reply.json()["message"].startswith("password: ")
    # Nothing was created: the same login and e-mail sign up fine with a good password.
    assert http.post(SIGNUP, json=creds).status_code == 200


def test_nfd_and_nfc_forms_of_a_password_both_sign_in(http: httpx.Client) -> None:
    creds = {**credentials(), "password": unicodedata.normalize("NFD", TYPED)}
    assert http.post(SIGNUP, json=creds).status_code == 200
    for form in ("NFC", "NFD", "NFKC"):
        reply = http.post(SIGNIN, json={"login": creds["login"], "password": unicodedata.normalize(form, TYPED)})
        assert reply.status_code == 200, (form, reply.text)


def test_a_hash_made_before_normalisation_is_replaced_at_the_next_sign_in(http: httpx.Client) -> None:
    creds = credentials()
    nfd, nfc = unicodedata.normalize("NFD", TYPED), unicodedata.normalize("NFC", TYPED)
    with psycopg.connect(database_url("auth"), autocommit=True) as conn:
        # A user as stored before migration 0002: the hash of the password as typed.
        user_id = conn.execute(
            "INSERT INTO users (email, login, password_hash) VALUES (%s, %s, %s) RETURNING id",
            (creds["email"], creds["login"], PasswordHasher(time_cost=2, memory_cost=19 * 1024).hash(nfd)),
        ).fetchone()[0]
        assert http.post(SIGNIN, json={"login": creds["login"], "password": nfc}).status_code == 401
        assert http.post(SIGNIN, json={"login": creds["login"], "password": nfd}).status_code == 200
        assert conn.execute("SELECT password_nfkc FROM users WHERE id = %s", (user_id,)).fetchone()[0] is True
    assert http.post(SIGNIN, json={"login": creds["login"], "password": nfc}).status_code == 200
