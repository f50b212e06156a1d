"""Buying tickets of vendor-backed events through the gateway, on the real platform and
the vendors' sandboxes (TicketsCloud, Kassir): purchase -> reserve at the vendor -> pay
on the CloudPayments sandbox page -> PAID with the vendor's order executed; a vendor 5xx
or timeout on reserve -> a clean 503 with nothing held (ours or theirs); tickets just
taken at the vendor -> 409; a confirm without an answer reconciled by the vendor's
status (PAID, or REFUNDED when the vendor lost the seats), or, while the vendor cannot
say, kept for a worker that asks again (PAID once it answers); the breaker opening after
repeated failures and answering fast.

Every test makes its own vendor event (the sandboxes' control API) and publishes a
catalog event whose session id is that vendor's id, and scopes the faults it injects to it."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from auth_support import Account, error_reason
from catalog_support import at, event_body, iso, publish

from kgo import provision, topology

TICKETING_DB = topology.database_url("ticketing", provision.postgres_password())
TICKETSCLOUD = topology.sandbox("ticketscloud").url
KASSIR = topology.sandbox("kassir").url


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def publish_vendor_event(http: httpx.Client, admin: Account, provider: str, session_id: str,
                         tiers: list[dict[str, Any]], seats: list[tuple[str, str]] = ()) -> str:  # type: ignore[assignment]
    session: dict[str, Any] = {"id": session_id, "startTime": iso(at(days=7)), "endTime": iso(at(days=7, hours=2)),
                               "tiers": [{"id": t["id"], "name": t["name"], "price": str(t["price"]),
                                          **({} if seats else {"capacity": t["capacity"]})} for t in tiers]}
    if seats:
        session["seats"] = [{"id": seat, "tierId": tier} for seat, tier in seats]
    body = event_body(ticketProvider=provider)
    body["sessions"] = [session]
    slug = str(publish(http, admin, body)["slug"])
    deadline = time.monotonic() + 20
    with psycopg.connect(TICKETING_DB) as conn:
        while not conn.execute("SELECT 1 FROM sessions WHERE event_slug = %s", (slug,)).fetchone():
            assert time.monotonic() < deadline, "ticketing did not receive event.published"
            time.sleep(0.1)
    return slug


def ticketscloud_event(http: httpx.Client, admin: Account, sandboxes: httpx.Client, amount: int = 20
                       ) -> tuple[str, str, str]:
    """(slug, TicketsCloud event id = our session id, set id = our tier id)."""
    event, set_id = f"{int(time.time()):08x}{secrets.token_hex(8)}", secrets.token_hex(12)
    sandboxes.put(f"{TICKETSCLOUD}/sandbox/events/{event}", json={
        "title": "Тест", "sets": [{"id": set_id, "name": "Входной", "price": 90000, "amount": amount}]}
    ).raise_for_status()
    slug = publish_vendor_event(http, admin, "ticketscloud", event,
                                [{"id": set_id, "name": "Входной", "price": 90000, "capacity": amount}])
    return slug, event, set_id


def kassir_event(http: httpx.Client, admin: Account, sandboxes: httpx.Client) -> tuple[str, str]:
    """(slug, Kassir session id = our session id), three seats A-1..A-3 in category parter."""
    session = str(7_000_000 + uuid.uuid4().int % 1_000_000_000)
    seats = [("A-1", "parter"), ("A-2", "parter"), ("A-3", "parter")]
    sandboxes.put(f"{KASSIR}/sandbox/sessions/{session}", json={
        "title": "Тест", "categories": [{"id": "parter", "name": "Партер", "price": 300000, "quantity": 3}],
        "seats": [list(s) for s in seats]}).raise_for_status()
    slug = publish_vendor_event(http, admin, "kassir", session,
                                [{"id": "parter", "name": "Партер", "price": 300000}], seats)
    return slug, session


def buy(http: httpx.Client, who: Account, slug: str, session: str, *, tier: str = "", quantity: int = 1,
        seats: list[str] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"eventSlug": slug, "sessionId": session}
    if seats:
        body["seats"] = seats
    else:
        body["items"] = [{"tierId": tier, "quantity": quantity}]
    return http.post("/api/v1/tickets/purchase", json=body, headers=who.headers, timeout=60)


def press_pay(payment_url: str) -> None:
    with httpx.Client(follow_redirects=True, timeout=60) as client:
        assert client.post(payment_url, data={"action": "pay"}).status_code == 200


def wait_status(http: httpx.Client, who: Account, order_id: str, status: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        order = http.get(f"/api/v1/tickets/{order_id}", headers=who.headers).json()
        if order.get("status") == status:
            return order  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"order stayed {order.get('status')}, not {status}: {order}"
        time.sleep(0.2)


def held(slug: str) -> int:
    """Places our own inventory holds or sold for the event (ticketing's counters)."""
    with psycopg.connect(TICKETING_DB) as conn:
        row = conn.execute("SELECT coalesce(sum(held + sold), 0) FROM tiers WHERE event_slug = %s", (slug,)).fetchone()
    return int(row[0]) if row else 0


def tc_orders(sandboxes: httpx.Client, event: str) -> list[dict[str, Any]]:
    return list(sandboxes.get(f"{TICKETSCLOUD}/sandbox/orders", params={"event": event}).json()["orders"])


def tc_fault(sandboxes: httpx.Client, **fault: Any) -> None:
    sandboxes.post(f"{TICKETSCLOUD}/sandbox/faults", json=fault).raise_for_status()


def kassir_fault(sandboxes: httpx.Client, **fault: Any) -> None:
    sandboxes.post(f"{KASSIR}/sandbox/faults", json=fault).raise_for_status()


def kassir_reservations(sandboxes: httpx.Client, session: str) -> list[dict[str, Any]]:
    return list(sandboxes.get(f"{KASSIR}/sandbox/reservations", params={"sessionId": session}).json()["reservations"])


def test_ticketscloud_purchase_reserves_there_and_payment_executes_the_order(
        http: httpx.Client, account: Account, admin: Account, sandboxes: httpx.Client) -> None:
    slug, event, set_id = ticketscloud_event(http, admin, sandboxes)
    reply = buy(http, account, slug, event, tier=set_id, quantity=2)
    assert reply.status_code == 200, reply.text
    order = reply.json()
    [vendor_order] = tc_orders(sandboxes, event)
    assert vendor_order["status"] == "reserved" and len(vendor_order["tickets"]) == 2
    press_pay(order["paymentUrl"])
    paid = wait_status(http, account, order["id"], "ORDER_STATUS_PAID")
    assert all(t["status"] == "TICKET_STATUS_VALID" and t["secret"] for t in paid["tickets"])
    assert tc_orders(sandboxes, event)[0]["status"] == "executed"


def test_kassir_purchase_of_seats_sold_there_on_payment(
        http: httpx.Client, account: Account, admin: Account, sandboxes: httpx.Client) -> None:
    slug, session = kassir_event(http, admin, sandboxes)
    reply = buy(http, account, slug, session, seats=["A-1", "A-2"])
    assert reply.status_code == 200, reply.text
    order = reply.json()
    [reservation] = kassir_reservations(sandboxes, session)
    assert reservation["id"] == order["id"] and reservation["status"] == "RESERVED"
    press_pay(order["paymentUrl"])
    wait_status(http, account, order["id"], "ORDER_STATUS_PAID")
    assert kassir_reservations(sandboxes, session)[0]["status"] == "SOLD"


def test_the_demo_citys_vendor_events_are_on_sale_from_the_sandboxes_inventory(
        http: httpx.Client, account: Account, sandboxes: httpx.Client) -> None:
    from datetime import date

    from kgo.demo_city import vendor_events
    from kgo.seed import seed

    seed(events=0, pois=0)  # the sellable ones only (idempotent)
    ticketscloud, kassir = vendor_events(date.today())
    session, tier = ticketscloud.sessions[0].id, ticketscloud.sessions[0].tiers[0].id
    before = sandboxes.get(f"{TICKETSCLOUD}/sandbox/events/{session}").json()["sets"]
    reply = buy(http, account, ticketscloud.slug, session, tier=tier)
    assert reply.status_code == 200, reply.text
    vacant = {s["id"]: s["amount_vacant"] for s in sandboxes.get(f"{TICKETSCLOUD}/sandbox/events/{session}"
                                                                 ).json()["sets"]}
    assert vacant[tier] == next(s["amount_vacant"] for s in before if s["id"] == tier) - 1
    http.post("/api/v1/tickets/cancel", json={"orderId": reply.json()["id"]}, headers=account.headers)
    seats = sandboxes.get(f"{KASSIR}/sandbox/sessions/{kassir.sessions[-1].id}").json()["seats"]
    free = next(s["id"] for s in reversed(seats) if s["available"])
    reply = buy(http, account, kassir.slug, kassir.sessions[-1].id, seats=[free])
    assert reply.status_code == 200, reply.text
    http.post("/api/v1/tickets/cancel", json={"orderId": reply.json()["id"]}, headers=account.headers)
    assert kassir_reservations(sandboxes, kassir.sessions[-1].id)[-1]["status"] == "CANCELLED"


def test_cancel_releases_the_vendor_hold(
        http: httpx.Client, account: Account, admin: Account, sandboxes: httpx.Client) -> None:
    slug, session = kassir_event(http, admin, sandboxes)
    order = buy(http, account, slug, session, seats=["A-3"]).json()
    assert http.post("/api/v1/tickets/cancel", json={"orderId": order["id"]}, headers=account.headers
                     ).status_code == 200
    assert kassir_reservations(sandboxes, session)[0]["status"] == "CANCELLED" and held(slug) == 0


def test_a_vendor_5xx_on_reserve_is_a_clean_503_and_nothing_stays_held(
        http: httpx.Client, account: Account, admin: Account, sandboxes: httpx.Client) -> None:
    slug, event, set_id = ticketscloud_event(http, admin, sandboxes)
    tc_fault(sandboxes, method="orders.create", mode="error", match={"event": event})
    reply = buy(http, account, slug, event, tier=set_id)
    assert reply.status_code == 503 and error_reason(reply) == "VENDOR_UNAVAILABLE", reply.text
    assert held(slug) == 0 and tc_orders(sandboxes, event) == []
    assert buy(http, account, slug, event, tier=set_id).status_code == 200  # and the next one works


def test_a_vendor_timeout_on_reserve_is_a_503_releasing_both_holds(
        http: httpx.Client, account: Account, admin: Account, sandboxes: httpx.Client) -> None:
    slug, session = kassir_event(http, admin, sandboxes)
    # Past ticketing's 3 s per call, on every attempt (Kassir's reserve is safe to repeat).
    kassir_fault(sandboxes, method="reservations.create", mode="stall", seconds=4, times=3,
                 match={"sessionId": session})
    started = time.monotonic()
    reply = buy(http, account, slug, session, seats=["A-1"])
    assert reply.status_code == 503 and error_reason(reply) == "VENDOR_TIMEOUT", reply.text
    assert time.monotonic() - started < 15 and held(slug) == 0
    time.sleep(4.5)  # the stalled requests reach the vendor after our release: fenced, nothing held there
    assert [r["status"] for r in kassir_reservations(sandboxes, session)] == ["CANCELLED"]
    seats = sandboxes.get(f"{KASSIR}/sandbox/sessions/{session}").json()["seats"]
    assert all(s["available"] for s in seats)


def test_tickets_just_taken_at_the_vendor_are_a_409(
        http: httpx.Client, account: Account, admin: Account, sandboxes: httpx.Client) -> None:
    slug, session = kassir_event(http, admin, sandboxes)
    kassir_fault(sandboxes, method="reservations.create", mode="taken", match={"sessionId": session})
    reply = buy(http, account, slug, session, seats=["A-2"])
    assert reply.status_code == 409 and error_reason(reply) == "SEAT_TAKEN", reply.text
    assert held(slug) == 0
    slug, event, set_id = ticketscloud_event(http, admin, sandboxes)
    tc_fault(sandboxes, method="orders.create", mode="taken", match={"event": event})
    reply = buy(http, account, slug, event, tier=set_id, quantity=3)
    assert reply.status_code == 409 and error_reason(reply) == "SOLD_OUT", reply.text
    assert held(slug) == 0


def test_a_confirm_timeout_is_reconciled_by_status_and_ends_paid(
        http: httpx.Client, account: Account, admin: Account, sandboxes: httpx.Client) -> None:
    slug, event, set_id = ticketscloud_event(http, admin, sandboxes)
    order = buy(http, account, slug, event, tier=set_id).json()
    # The executed PATCH stalls past our timeout (then acts): ticketing asks the order's status.
    tc_fault(sandboxes, method="orders.update", mode="stall", seconds=4, match={"event": event, "status": "executed"})
    press_pay(order["paymentUrl"])
    wait_status(http, account, order["id"], "ORDER_STATUS_PAID", timeout=60)
    assert tc_orders(sandboxes, event)[0]["status"] == "executed"


def test_a_reservation_the_vendor_lost_is_refunded(
        http: httpx.Client, account: Account, admin: Account, sandboxes: httpx.Client) -> None:
    slug, session = kassir_event(http, admin, sandboxes)
    order = buy(http, account, slug, session, seats=["A-3"]).json()
    kassir_fault(sandboxes, method="reservations.confirm", mode="lose", seconds=4,
                 match={"reservationId": order["id"]})
    press_pay(order["paymentUrl"])
    refunded = wait_status(http, account, order["id"], "ORDER_STATUS_REFUNDED", timeout=60)
    assert refunded["statusReason"] == "VENDOR_LOST_RESERVATION" and held(slug) == 0
    assert all(t["status"] == "TICKET_STATUS_VOID" and not t.get("secret") for t in refunded["tickets"])


@pytest.mark.disruptive
def test_the_breaker_opens_after_repeated_failures_and_answers_fast(
        http: httpx.Client, account: Account, admin: Account, sandboxes: httpx.Client) -> None:
    slug, event, set_id = ticketscloud_event(http, admin, sandboxes)
    tc_fault(sandboxes, method="orders.create", mode="error", times=5, match={"event": event})
    for _ in range(5):  # ticketing's KGO_VENDOR_BREAKER_THRESHOLD
        reply = buy(http, account, slug, event, tier=set_id)
        assert reply.status_code == 503 and error_reason(reply) == "VENDOR_UNAVAILABLE", reply.text
    started = time.monotonic()
    reply = buy(http, account, slug, event, tier=set_id)
    assert reply.status_code == 503 and error_reason(reply) == "VENDOR_CIRCUIT_OPEN", reply.text
    assert time.monotonic() - started < 1.0 and held(slug) == 0 and tc_orders(sandboxes, event) == []
    metrics = httpx.get(f"http://127.0.0.1:{topology.service('ticketing').metrics_port}/metrics").text
    assert 'ticket_vendor_circuit_open{vendor="ticketscloud"} 1.0' in metrics
    # The circuit lets a trial call through after 30 s; that success closes it for the tests after this one.
    deadline = time.monotonic() + 45
    while buy(http, account, slug, event, tier=set_id).status_code != 200:
        assert time.monotonic() < deadline, "the circuit did not close again"
        time.sleep(2)


@pytest.mark.disruptive
def test_a_payment_the_vendor_cannot_confirm_waits_for_the_worker_and_ends_paid(
        http: httpx.Client, account: Account, admin: Account, sandboxes: httpx.Client) -> None:
    slug, session = kassir_event(http, admin, sandboxes)
    order = buy(http, account, slug, session, seats=["A-1"]).json()
    # The confirm and every status question fail: the vendor cannot say (its circuit opens too).
    kassir_fault(sandboxes, method="reservations.confirm", mode="error", match={"reservationId": order["id"]})
    kassir_fault(sandboxes, method="reservations.get", mode="error", times=100, match={"reservationId": order["id"]})
    press_pay(order["paymentUrl"])
    deadline = time.monotonic() + 60
    while (waiting := http.get(f"/api/v1/tickets/{order['id']}", headers=account.headers).json()
           ).get("statusReason") != "VENDOR_CONFIRMING":
        assert time.monotonic() < deadline, waiting
        time.sleep(0.5)
    assert waiting["status"] == "ORDER_STATUS_PENDING" and held(slug) == 1  # not guessed, not expired
    with psycopg.connect(TICKETING_DB) as conn:
        row = conn.execute("SELECT done_time FROM vendor_confirmations WHERE order_id = %s", (order["id"],)).fetchone()
    assert row is not None and row[0] is None
    sandboxes.delete(f"{KASSIR}/sandbox/faults").raise_for_status()  # the vendor answers again
    # The worker asks again (with backoff, once the circuit lets it): still reserved there, so it confirms.
    wait_status(http, account, order["id"], "ORDER_STATUS_PAID", timeout=120)
    assert kassir_reservations(sandboxes, session)[0]["status"] == "SOLD"

