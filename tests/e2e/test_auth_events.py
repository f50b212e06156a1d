"""auth-service's domain events on Kafka (user.signed_up, user.updated) and the
`kgo events tail` command that shows them."""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from datetime import datetime

import httpx
import pytest
from auth_support import Account, unverified_claims
from kafka_support import KafkaRecord, read_topic

from kgo import paths
from kulturago.auth.v1 import events_pb2

TRACEPARENT = re.compile(r"^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")
SOURCE = "//auth.kulturago/auth-service"


def assert_envelope(record: KafkaRecord, ce_type: str, key: str) -> None:
    """The headers of DESIGN.md's event envelope, with the aggregate id as key."""
    headers = record.headers
    assert record.key == key
    assert uuid.UUID(headers["ce_id"])
    assert headers["ce_type"] == ce_type
    assert headers["ce_source"] == SOURCE
    assert headers["ce_time"].endswith("Z") and datetime.fromisoformat(headers["ce_time"])
    assert headers["content-type"] == "application/protobuf"
    # The trace of the request that caused the event travels with it.
    assert TRACEPARENT.match(headers["traceparent"]), headers


def user_updates(user_id: str, *, at_least: int) -> list[events_pb2.UserUpdated]:
    records = read_topic("user.updated", key=user_id, until=lambda found: len(found) >= at_least)
    assert len(records) >= at_least, f"{len(records)} user.updated events for {user_id}, expected {at_least}"
    for record in records:
        assert_envelope(record, "kulturago.auth.v1.UserUpdated", user_id)
    return [events_pb2.UserUpdated.FromString(r.value) for r in records]


def test_sign_up_publishes_user_signed_up(account: Account) -> None:
    records = read_topic("user.signed_up", key=account.id)
    assert len(records) == 1
    assert_envelope(records[0], "kulturago.auth.v1.UserSignedUp", account.id)
    event = events_pb2.UserSignedUp.FromString(records[0].value)
    assert (event.user_id, event.email, event.login, event.full_name) == (
        account.id, account.email, account.login, "Тест Тестович")


def test_profile_update_publishes_user_updated_with_changed_fields(http: httpx.Client, account: Account) -> None:
    reply = http.put("/api/v1/profile", headers=account.headers,
                     json={"city": "Казань", "fullName": "Анна", "bio": "Тот же текст"})
    assert reply.status_code == 200, reply.text

    [event] = user_updates(account.id, at_least=1)
    assert event.user_id == account.id
    # proto field names, in the order the domain reports them
    assert list(event.changed_fields) == ["full_name", "city", "bio"]
    # The event carries the profile after the change.
    assert (event.email, event.login, event.full_name, event.city) == (account.email, account.login, "Анна", "Казань")
    assert event.update_time.ToJsonString() == reply.json()["updateTime"]


def test_each_update_is_one_event_and_no_op_updates_publish_nothing(http: httpx.Client, account: Account) -> None:
    for fields in ({"city": "Тверь"}, {"city": "Тверь"}, {"phone": "+79161234567"}):
        assert http.put("/api/v1/profile", headers=account.headers, json=fields).status_code == 200
    events = user_updates(account.id, at_least=2)
    # The repeated city changed nothing, so it published nothing; order is per key.
    assert [list(e.changed_fields) for e in events] == [["city"], ["phone"]]
    assert len({e.update_time.ToNanoseconds() for e in events}) == 2


def test_kgo_events_tail_prints_decoded_json_lines(http: httpx.Client, account: Account) -> None:
    # Three events exist whatever ran before (a fresh platform has no others).
    for city in ("Омск", "Томск", "Курск"):
        assert http.put("/api/v1/profile", headers=account.headers, json={"city": city}).status_code == 200
    user_updates(account.id, at_least=3)  # published before tailing

    result = subprocess.run(
        [str(paths.VENV / "bin" / "kgo"), "events", "tail", "user.updated", "--from-beginning",
         "--limit", "3", "--timeout", "15"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3, result.stdout  # --limit is honoured
    for line in lines:
        record = json.loads(line)
        assert record["topic"] == "user.updated"
        assert record["headers"]["ce_type"] == "kulturago.auth.v1.UserUpdated"
        payload = record["payload"]
        assert isinstance(payload, dict), "payload should be decoded from protobuf to JSON"
        assert payload["userId"] == record["key"]
        assert payload["changedFields"]


def kgo_admin_create(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(paths.VENV / "bin" / "kgo"), "admin", "create", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def role_events(user_id: str, *, until: int = 1, timeout: float = 20) -> list[events_pb2.UserUpdated]:
    """user.updated events of the user that changed their roles, read until `until` of
    them are there (or `timeout` seconds: waiting for one too many proves there is none)."""
    records = read_topic("user.updated", key=user_id, until=lambda found: len(found) >= until, timeout=timeout)
    for record in records:
        # Published by auth-service's relay from its outbox, as for changes made through the API.
        assert (record.headers["ce_type"], record.headers["ce_source"]) == ("kulturago.auth.v1.UserUpdated", SOURCE)
    return [e for e in (events_pb2.UserUpdated.FromString(r.value) for r in records) if "roles" in e.changed_fields]


def test_kgo_admin_create_promotes_through_auth_and_publishes_user_updated(
        http: httpx.Client, account: Account) -> None:
    result = kgo_admin_create("--email", account.email, "--password", account.password)
    assert result.returncode == 0, result.stderr
    [event] = role_events(account.id)
    assert (list(event.changed_fields), event.email, event.login) == (["roles"], account.email, account.login)
    tokens = http.post("/api/v1/auth/signin", json={"login": account.login, "password": account.password}).json()
    assert unverified_claims(tokens["accessToken"])["roles"] == ["user", "admin"]

    # Promoting an admin again changes nothing and publishes nothing.
    assert kgo_admin_create("--email", account.email, "--password", account.password).returncode == 0
    assert len(role_events(account.id, until=2, timeout=5)) == 1


def test_kgo_admin_create_signs_a_new_user_up_through_auth(http: httpx.Client) -> None:
    suffix = uuid.uuid4().hex[:10]
    email, login, password = f"admin-{suffix}@example.com", f"admin_{suffix}", f"pw-{suffix}-long"
    result = kgo_admin_create("--email", email, "--password", password, "--login", login)
    assert result.returncode == 0, result.stderr
    tokens = http.post("/api/v1/auth/signin", json={"login": login, "password": password}).json()
    claims = unverified_claims(tokens["accessToken"])
    assert claims["roles"] == ["user", "admin"]
    [signed_up] = read_topic("user.signed_up", key=claims["sub"])
    assert events_pb2.UserSignedUp.FromString(signed_up.value).email == email
    assert len(role_events(claims["sub"])) == 1


def test_kgo_admin_create_checks_the_sign_up_rules() -> None:
    result = kgo_admin_create("--email", "not-an-email", "--password", "short")
    assert result.returncode != 0 and "email" in result.stderr


@pytest.mark.parametrize("password", ["12345678", "admin-{suffix}-key"])
def test_kgo_admin_create_checks_the_password_rules(password: str) -> None:
    suffix = uuid.uuid4().hex[:10]
    result = kgo_admin_create("--email", f"admin-{suffix}@example.com", "--password", password.format(suffix=suffix))
    assert result.returncode != 0
    assert result.stderr.startswith("kgo: password: ") and "Traceback" not in result.stderr, result.stderr
