"""Per-account brute-force protection through the gateway: a client that keeps guessing
one account's password is held back (429 with a retry hint) even when it finally has the
right one; the owner, from an address with no failures of its own, is not; unknown
logins look exactly the same. Other client addresses are played with loopback source
addresses (127.0.0.2, ...), which the gateway forwards as the client's address."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from auth_support import Account, error_reason

SIGNIN = "/api/v1/auth/signin"


@pytest.fixture
def client_at(gateway: str) -> Iterator[dict[str, httpx.Client]]:
    """HTTP clients by source address."""
    clients: dict[str, httpx.Client] = {}

    def make(address: str) -> httpx.Client:
        return httpx.Client(base_url=gateway, timeout=15, transport=httpx.HTTPTransport(local_address=address))

    for address in ("127.0.0.3", "127.0.0.4", "127.0.0.5"):
        clients[address] = make(address)
    yield clients
    for client in clients.values():
        client.close()


def retry_after(reply: httpx.Response) -> int:
    assert reply.status_code == 429, reply.text
    body = reply.json()
    assert body["code"] == 8  # RESOURCE_EXHAUSTED
    assert error_reason(reply) == "SIGN_IN_THROTTLED"
    info = next(d for d in body["details"] if d["@type"].endswith("ErrorInfo"))
    return int(info["metadata"]["retryAfterSeconds"])


def guesses(http: httpx.Client, login: str, count: int) -> list[int]:
    return [http.post(SIGNIN, json={"login": login, "password": f"guess-{i:03}-pw"}).status_code
            for i in range(count)]


def test_fifty_wrong_passwords_then_the_right_one_is_refused(client_at: dict[str, httpx.Client],
                                                              account: Account) -> None:
    attacker = client_at["127.0.0.3"]
    statuses = guesses(attacker, account.login, 50)
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    right = attacker.post(SIGNIN, json={"login": account.login, "password": account.password})
    assert 1 <= retry_after(right) <= 300
    assert "accessToken" not in right.text


def test_the_owner_is_not_locked_out_by_another_address(client_at: dict[str, httpx.Client],
                                                        account: Account) -> None:
    attacker, owner = client_at["127.0.0.4"], client_at["127.0.0.5"]
    guesses(attacker, account.login, 20)
    assert attacker.post(SIGNIN, json={"login": account.login, "password": account.password}).status_code == 429
    reply = owner.post(SIGNIN, json={"login": account.login, "password": account.password})
    assert reply.status_code == 200, reply.text
    assert reply.json()["accessToken"]


def test_the_wait_ends_and_the_right_password_then_works(client_at: dict[str, httpx.Client],
                                                         account: Account) -> None:
    attacker = client_at["127.0.0.3"]
    assert guesses(attacker, account.login, 6) == [401] * 5 + [429]
    wait = retry_after(attacker.post(SIGNIN, json={"login": account.login, "password": account.password}))
    assert wait == 1
    time.sleep(wait + 0.1)
    assert attacker.post(SIGNIN, json={"login": account.login, "password": account.password}).status_code == 200


def test_unknown_logins_are_throttled_like_existing_ones(client_at: dict[str, httpx.Client],
                                                         account: Account) -> None:
    attacker = client_at["127.0.0.4"]
    unknown = f"nobody_{uuid.uuid4().hex[:10]}"
    assert guesses(attacker, account.login, 7) == guesses(attacker, unknown, 7) == [401] * 5 + [429] * 2
    known_reply = attacker.post(SIGNIN, json={"login": account.login, "password": "x-guess-pw"})
    unknown_reply = attacker.post(SIGNIN, json={"login": unknown, "password": "x-guess-pw"})
    assert known_reply.json() == unknown_reply.json()  # same body, same retry hint
