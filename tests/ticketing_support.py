"""Helpers of the tests that buy tickets through the gateway (ticketing e2e, and the
services that react to a purchase, such as notification-service): an event on sale from
our own stock, a purchase, the payer pressing Pay on the CloudPayments sandbox's page.
Imported as `ticketing_support` (tests/ is on sys.path)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import psycopg
from auth_support import Account
from catalog_support import at, event_body, iso, publish

from kgo import provision, topology

TICKETING_DB = topology.database_url("ticketing", provision.postgres_password())


def sellable(http: httpx.Client, admin: Account, *, capacity: int = 50, seats: int = 0) -> dict[str, Any]:
    """A kulturago event with one general admission session (tier `floor`) and, with
    `seats`, one seated session (row A, tier `front`); returns the card, once ticketing has it."""
    start = at(days=5).replace(second=0, microsecond=0)
    sessions: list[dict[str, Any]] = [{"id": "ga", "startTime": iso(start), "endTime": iso(at(days=5, hours=2)),
                                       "tiers": [{"id": "floor", "name": "Танцпол", "price": "150000",
                                                  "capacity": capacity}]}]
    if seats:
        sessions.append({"id": "seated", "startTime": iso(at(days=6)), "endTime": iso(at(days=6, hours=2)),
                         "tiers": [{"id": "front", "name": "Первые ряды", "price": "400000"}],
                         "seats": [{"id": f"A-{n}", "tierId": "front"} for n in range(1, seats + 1)]})
    body = event_body(ticketProvider="kulturago", price={"min": 0, "max": 0})
    body["sessions"] = sessions
    card = publish(http, admin, body)
    deadline = time.monotonic() + 20
    with psycopg.connect(TICKETING_DB) as conn:
        while not conn.execute("SELECT 1 FROM sessions WHERE event_slug = %s", (card["slug"],)).fetchone():
            assert time.monotonic() < deadline, "ticketing did not receive event.published"
            time.sleep(0.1)
    return card


def buy(http: httpx.Client, who: Account, slug: str, *, session: str = "ga", quantity: int = 1,
        seats: list[str] | None = None, key: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"eventSlug": slug, "sessionId": session}
    if seats:
        body["seats"] = seats
    else:
        body["items"] = [{"tierId": "floor", "quantity": quantity}]
    headers = {**who.headers, **({"Idempotency-Key": key} if key else {})}
    return http.post("/api/v1/tickets/purchase", json=body, headers=headers)


def press_pay(payment_url: str, action: str = "pay") -> None:
    with httpx.Client(follow_redirects=True, timeout=60) as client:
        page = client.get(payment_url)
        assert page.status_code == 200, page.text
        assert client.post(payment_url, data={"action": action}).status_code == 200


def wait_status(http: httpx.Client, who: Account, order_id: str, status: str, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        order = http.get(f"/api/v1/tickets/{order_id}", headers=who.headers).json()
        if order.get("status") == status:
            return order  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"order stayed {order.get('status')}, not {status}: {order}"
        time.sleep(0.2)


def paid_order(http: httpx.Client, who: Account, slug: str, **kw: Any) -> dict[str, Any]:
    reply = buy(http, who, slug, **kw)
    assert reply.status_code == 200, reply.text
    order = reply.json()
    press_pay(order["paymentUrl"])
    return wait_status(http, who, order["id"], "ORDER_STATUS_PAID")
