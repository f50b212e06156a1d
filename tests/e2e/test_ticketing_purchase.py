"""Buying tickets through the gateway, on the real platform: purchase -> pay on the
CloudPayments sandbox page -> PAID -> QR PNG of a signed secret -> check-in once, twice;
cancel; holds that run out; idempotent purchases; the last seat among many buyers;
late payments; refunds; internal RPCs out of the gateway's reach."""

from __future__ import annotations

import asyncio
import base64
import io
import time
import uuid
from collections.abc import Callable
from typing import Any

import grpc
import httpx
import psycopg
import pytest
from auth_support import Account, error_reason
from conftest import GATEWAY
from cryptography.hazmat.primitives.asymmetric import ed25519
from ticketing_support import TICKETING_DB, buy, paid_order, press_pay, sellable, wait_status

from kgo import provision, topology
from kulturago.ticketing.v1 import ticketing_service_pb2 as pb
from kulturago.ticketing.v1 import ticketing_service_pb2_grpc as pb_grpc

TICKETING_GRPC = f"127.0.0.1:{topology.service('ticketing').grpc_port}"
GATEWAY_GRPC = f"127.0.0.1:{topology.GATEWAY_HTTP_PORT}"


def verify_with_published_key(http: httpx.Client, secret: str) -> None:
    keys = http.get("/api/v1/tickets/keys").json()["keys"]
    kid, payload, signature = secret.split(".")
    key = next(k for k in keys if k["kid"] == kid)
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")

    def unb64(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    public = ed25519.Ed25519PublicKey.from_public_bytes(unb64(key["x"]))
    public.verify(unb64(signature), unb64(payload))  # raises when forged


def test_purchase_pay_qr_and_check_in(http: httpx.Client, account: Account, admin: Account) -> None:
    import zxingcpp
    from PIL import Image

    card = sellable(http, admin)
    reply = buy(http, account, card["slug"], quantity=2)
    assert reply.status_code == 200, reply.text
    order = reply.json()
    assert order["status"] == "ORDER_STATUS_PENDING" and order["amount"] == "300000" and order["currency"] == "RUB"
    assert order["paymentUrl"].startswith("http") and order["holdExpireTime"]
    assert [t["status"] for t in order["tickets"]] == ["TICKET_STATUS_HELD"] * 2
    assert all(t["secret"] == "" for t in order["tickets"])  # no secret before the money

    press_pay(order["paymentUrl"])
    paid = wait_status(http, account, order["id"], "ORDER_STATUS_PAID")
    assert [t["status"] for t in paid["tickets"]] == ["TICKET_STATUS_VALID"] * 2
    ticket = paid["tickets"][1]

    png = http.get(f"/api/v1/tickets/{order['id']}/qr", params={"ticketId": ticket["id"]}, headers=account.headers)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert [d.text for d in decoded] == [ticket["secret"]]
    verify_with_published_key(http, decoded[0].text)

    assert http.post("/api/v1/tickets/checkin", json={"secret": ticket["secret"]},
                     headers=account.headers).status_code == 403  # a buyer is not staff
    first = http.post("/api/v1/tickets/checkin", json={"secret": ticket["secret"]}, headers=admin.headers)
    assert first.status_code == 200, first.text
    assert first.json()["ticketId"] == ticket["id"] and first.json()["eventSlug"] == card["slug"]
    second = http.post("/api/v1/tickets/checkin", json={"secret": ticket["secret"]}, headers=admin.headers)
    assert second.status_code == 409 and error_reason(second) == "TICKET_ALREADY_USED"
    forged = ticket["secret"][:-4] + ("AAAA" if not ticket["secret"].endswith("AAAA") else "BBBB")
    bad = http.post("/api/v1/tickets/checkin", json={"secret": forged}, headers=admin.headers)
    assert bad.status_code == 400 and error_reason(bad) == "TICKET_SECRET_INVALID"


def test_orders_are_their_owners_only(http: httpx.Client, account: Account,
                                      new_account: Callable[[], Account], admin: Account) -> None:
    card = sellable(http, admin)
    order = buy(http, account, card["slug"]).json()
    other = new_account()
    assert http.get(f"/api/v1/tickets/{order['id']}", headers=other.headers).status_code == 404
    assert http.get(f"/api/v1/tickets/{uuid.uuid4()}", headers=account.headers).status_code == 404
    assert http.get(f"/api/v1/tickets/{order['id']}/qr", headers=other.headers).status_code == 404
    assert http.get(f"/api/v1/tickets/{order['id']}/qr", headers=account.headers).status_code == 409  # unpaid
    assert http.get(f"/api/v1/tickets/{order['id']}").status_code == 401


def test_my_orders_newest_first_in_pages(http: httpx.Client, account: Account, admin: Account) -> None:
    card = sellable(http, admin)
    ids = [buy(http, account, card["slug"]).json()["id"] for _ in range(5)]
    seen: list[str] = []
    token = ""
    while True:
        page = http.get("/api/v1/tickets", params={"pageSize": 2, **({"pageToken": token} if token else {})},
                        headers=account.headers).json()
        seen += [o["id"] for o in page["orders"]]
        token = page["nextPageToken"]
        if not token:
            break
    assert seen == list(reversed(ids))


def test_sold_out_cancel_and_paid_cannot_be_cancelled(http: httpx.Client, account: Account,
                                                      new_account: Callable[[], Account], admin: Account) -> None:
    card = sellable(http, admin, capacity=1)
    first = buy(http, account, card["slug"]).json()
    other = new_account()
    sold_out = buy(http, other, card["slug"])
    assert sold_out.status_code == 409 and error_reason(sold_out) == "SOLD_OUT"
    too_many = buy(http, other, card["slug"], quantity=11)
    assert too_many.status_code == 400
    cancelled = http.post("/api/v1/tickets/cancel", json={"orderId": first["id"]}, headers=account.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "ORDER_STATUS_CANCELLED"
    second = buy(http, other, card["slug"])
    assert second.status_code == 200, second.text  # the place came back
    press_pay(second.json()["paymentUrl"])
    wait_status(http, other, second.json()["id"], "ORDER_STATUS_PAID")
    refused = http.post("/api/v1/tickets/cancel", json={"orderId": second.json()["id"]}, headers=other.headers)
    assert refused.status_code == 409 and error_reason(refused) == "ORDER_PAID"


def test_seats_are_sold_once(http: httpx.Client, account: Account, new_account: Callable[[], Account],
                             admin: Account) -> None:
    card = sellable(http, admin, seats=3)
    assert buy(http, account, card["slug"], session="seated", seats=["A-1", "A-2"]).status_code == 200
    taken = buy(http, new_account(), card["slug"], session="seated", seats=["A-2", "A-3"])
    assert taken.status_code == 409 and error_reason(taken) == "SEAT_TAKEN"
    assert buy(http, account, card["slug"], session="seated", seats=["A-9"]).status_code == 400
    assert buy(http, account, card["slug"], session="seated", seats=["A-3"]).status_code == 200


def expire_now(order_id: str) -> None:
    """Time passes: the hold of this order runs out now (the expiry worker does the rest)."""
    with psycopg.connect(TICKETING_DB) as conn:
        conn.execute("UPDATE orders SET hold_expire_time = now() - interval '1 second' WHERE id = %s", (order_id,))


def test_an_expired_hold_frees_its_seat(http: httpx.Client, account: Account,
                                        new_account: Callable[[], Account], admin: Account) -> None:
    card = sellable(http, admin, seats=1)
    order = buy(http, account, card["slug"], session="seated", seats=["A-1"]).json()
    other = new_account()
    assert buy(http, other, card["slug"], session="seated", seats=["A-1"]).status_code == 409
    expire_now(order["id"])
    expired = wait_status(http, account, order["id"], "ORDER_STATUS_EXPIRED")
    assert [t["status"] for t in expired["tickets"]] == ["TICKET_STATUS_VOID"]
    assert buy(http, other, card["slug"], session="seated", seats=["A-1"]).status_code == 200


async def test_one_idempotency_key_twenty_times_at_once_is_one_order(
        ahttp: httpx.AsyncClient, http: httpx.Client, account: Account, admin: Account) -> None:
    card = sellable(http, admin)
    key = f"buy-{uuid.uuid4()}"
    body = {"eventSlug": card["slug"], "sessionId": "ga", "items": [{"tierId": "floor", "quantity": 2}]}
    headers = {**account.headers, "Idempotency-Key": key}
    replies = await asyncio.gather(*(ahttp.post("/api/v1/tickets/purchase", json=body, headers=headers)
                                     for _ in range(20)))
    assert {r.status_code for r in replies} == {200}, [r.text for r in replies if r.status_code != 200][:2]
    assert len({r.text for r in replies}) == 1
    mine = (await ahttp.get("/api/v1/tickets", params={"pageSize": 50}, headers=account.headers)).json()["orders"]
    assert [o["id"] for o in mine] == [replies[0].json()["id"]]
    other_body = {**body, "items": [{"tierId": "floor", "quantity": 3}]}
    reused = await ahttp.post("/api/v1/tickets/purchase", json=other_body, headers=headers)
    assert reused.status_code == 400 and error_reason(reused) == "IDEMPOTENCY_KEY_REUSED"


async def test_five_hundred_buyers_for_the_last_seat(
        http: httpx.Client, new_account: Callable[[], Account], admin: Account) -> None:
    import aiohttp  # many requests at once: httpx's pool would make the test about itself

    card = sellable(http, admin, capacity=1)
    buyers = [new_account() for _ in range(25)]
    body = {"eventSlug": card["slug"], "sessionId": "ga", "items": [{"tierId": "floor", "quantity": 1}]}
    async with aiohttp.ClientSession(GATEWAY, timeout=aiohttp.ClientTimeout(total=120)) as client:
        async def attempt(buyer: Account) -> int:
            async with client.post("/api/v1/tickets/purchase", json=body, headers=buyer.headers) as reply:
                await reply.read()
                return reply.status

        codes = sorted(await asyncio.gather(*(attempt(b) for b in buyers for _ in range(20))))
    assert codes.count(200) == 1 and codes.count(409) == 499, codes
    with psycopg.connect(TICKETING_DB) as conn:
        held, sold = conn.execute("SELECT held, sold FROM tiers WHERE event_slug = %s", (card["slug"],)).fetchone()
    assert (held, sold) == (1, 0)


async def _payment_result(**fields: Any) -> pb.Order:
    async with grpc.aio.insecure_channel(TICKETING_GRPC) as channel:
        reply: pb.Order = await pb_grpc.TicketingServiceStub(channel).HandlePaymentResult(
            pb.HandlePaymentResultRequest(**fields), timeout=10)
        return reply


async def test_a_late_payment_is_issued_again_when_the_seat_is_free_else_refunded(
        http: httpx.Client, account: Account, new_account: Callable[[], Account], admin: Account) -> None:
    card = sellable(http, admin, seats=1, capacity=5)
    free = buy(http, account, card["slug"]).json()
    expire_now(free["id"])
    wait_status(http, account, free["id"], "ORDER_STATUS_EXPIRED")
    reissued = await _payment_result(payment_id=f"late-{uuid.uuid4()}", order_id=free["id"],
                                     outcome=pb.PAYMENT_OUTCOME_SUCCEEDED, amount=150000, late=True)
    assert reissued.status == pb.ORDER_STATUS_PAID and reissued.tickets[0].status == pb.TICKET_STATUS_VALID

    gone = buy(http, account, card["slug"], session="seated", seats=["A-1"]).json()
    expire_now(gone["id"])
    wait_status(http, account, gone["id"], "ORDER_STATUS_EXPIRED")
    assert buy(http, new_account(), card["slug"], session="seated", seats=["A-1"]).status_code == 200
    payment_id = f"late-{uuid.uuid4()}"
    refunded = await _payment_result(payment_id=payment_id, order_id=gone["id"],
                                     outcome=pb.PAYMENT_OUTCOME_SUCCEEDED, amount=400000, late=True)
    assert refunded.status == pb.ORDER_STATUS_REFUNDED and refunded.status_reason == "LATE_PAYMENT_REFUNDED"
    again = await _payment_result(payment_id=payment_id, order_id=gone["id"],
                                  outcome=pb.PAYMENT_OUTCOME_SUCCEEDED, amount=400000, late=True)
    assert again == refunded  # the same news twice changes nothing
    with psycopg.connect(TICKETING_DB) as conn:
        owed = conn.execute("SELECT amount FROM refund_requests WHERE order_id = %s", (gone["id"],)).fetchall()
    assert owed == [(400000,)]


def test_owner_refund_voids_the_tickets(http: httpx.Client, account: Account, admin: Account) -> None:
    card = sellable(http, admin)
    order = paid_order(http, account, card["slug"])
    reply = http.post(f"/api/v1/tickets/{order['id']}/refund", json={"reason": "не смогу прийти"},
                      headers=account.headers)
    assert reply.status_code == 200, reply.text
    refunded = wait_status(http, account, order["id"], "ORDER_STATUS_REFUNDED")
    assert refunded["refundedAmount"] == order["amount"]
    assert [t["status"] for t in refunded["tickets"]] == ["TICKET_STATUS_VOID"]
    void = http.post("/api/v1/tickets/checkin", json={"secret": order["tickets"][0]["secret"]}, headers=admin.headers)
    assert void.status_code == 409 and error_reason(void) == "TICKET_VOID"


def test_admin_partial_refund(http: httpx.Client, account: Account, admin: Account) -> None:
    card = sellable(http, admin)
    order = paid_order(http, account, card["slug"], quantity=2)
    assert http.post(f"/api/v1/admin/tickets/{order['id']}/refund", json={"amount": "100000"},
                     headers=account.headers).status_code == 403
    reply = http.post(f"/api/v1/admin/tickets/{order['id']}/refund", json={"amount": "100000", "reason": "опоздание"},
                      headers=admin.headers)
    assert reply.status_code == 200, reply.text
    deadline = time.monotonic() + 20
    while (o := http.get(f"/api/v1/tickets/{order['id']}", headers=account.headers).json())["refundedAmount"] == "0":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert o["refundedAmount"] == "100000" and o["status"] == "ORDER_STATUS_PAID"  # partial: tickets stay valid


async def test_internal_rpc_is_unreachable_through_the_gateway(account: Account) -> None:
    async with grpc.aio.insecure_channel(GATEWAY_GRPC) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await pb_grpc.TicketingServiceStub(channel).HandlePaymentResult(
                pb.HandlePaymentResultRequest(payment_id="p", order_id=str(uuid.uuid4()),
                                              outcome=pb.PAYMENT_OUTCOME_SUCCEEDED),
                metadata=[("authorization", f"Bearer {account.access_token}")], timeout=10)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_door_staff_check_tickets_in(http: httpx.Client, account: Account, admin: Account) -> None:
    from kgo.admin import create_admin

    suffix = uuid.uuid4().hex[:8]
    email, password = f"door-{suffix}@example.com", f"gate-{suffix}-pw"
    create_admin(email=email, password=password, login=f"door_{suffix}", role="staff")
    staff = http.post("/api/v1/auth/signin", json={"login": email, "password": password}).json()["accessToken"]
    order = paid_order(http, account, sellable(http, admin)["slug"])
    reply = http.post("/api/v1/tickets/checkin", json={"secret": order["tickets"][0]["secret"]},
                      headers={"Authorization": f"Bearer {staff}"})
    assert reply.status_code == 200, reply.text


def test_the_card_learns_tickets_left_from_ticketing(http: httpx.Client, account: Account, admin: Account) -> None:
    card = sellable(http, admin, capacity=5)
    assert buy(http, account, card["slug"], quantity=2).status_code == 200
    event_db = topology.database_url("event", provision.postgres_password())
    deadline = time.monotonic() + 20
    with psycopg.connect(event_db) as conn:
        while conn.execute("SELECT available FROM tier_availability WHERE event_slug = %s",
                           (card["slug"],)).fetchone() != (3,):
            assert time.monotonic() < deadline, "ticket.availability did not reach the catalog"
            time.sleep(0.2)
    tier = http.get(f"/api/v1/events/{card['slug']}").json()["sessions"][0]["tiers"][0]
    assert (tier["available"], tier["availability"]) == (3, "AVAILABILITY_FEW_LEFT")


def _kgo(*args: str) -> None:
    import subprocess

    from kgo import paths

    done = subprocess.run([str(paths.VENV / "bin" / "kgo"), *args], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, f"kgo {' '.join(args)}: {done.stdout}{done.stderr}"


@pytest.mark.disruptive
def test_orders_paid_during_a_kafka_outage_get_exactly_one_ticket_paid_after_it(
        http: httpx.Client, account: Account, admin: Account) -> None:
    """Purchases and payments go on while Kafka is down (gRPC and HTTP): payment-service
    tells ticketing at once (HandlePaymentResult), so each order is PAID before Kafka is
    back; the events wait in the outboxes, and once Kafka returns payment.succeeded
    arrives too and changes nothing: each order publishes ticket.paid once."""
    from kafka_support import read_topic, wait_for_broker

    card = sellable(http, admin, capacity=10)
    _kgo("stop", "kafka")
    try:
        orders = []
        for _ in range(3):
            reply = buy(http, account, card["slug"])
            assert reply.status_code == 200, reply.text
            orders.append(reply.json())
            press_pay(orders[-1]["paymentUrl"])
        for order in orders:
            wait_status(http, account, order["id"], "ORDER_STATUS_PAID", timeout=60)
    finally:
        _kgo("start", "kafka")
        wait_for_broker(timeout=120)
    wanted = {o["id"] for o in orders}
    records = [r for r in read_topic("ticket.paid", timeout=90,
                                     until=lambda found: wanted <= {r.key for r in found}) if r.key in wanted]
    assert sorted(r.key for r in records) == sorted(wanted)  # each PAID order: exactly one ticket.paid


@pytest.mark.disruptive
def test_a_payment_ticketing_missed_turns_the_order_paid_through_kafka_once_it_is_back(
        http: httpx.Client, account: Account, admin: Account) -> None:
    """The fast path (payment-service calling HandlePaymentResult) is best effort: with
    ticketing down when the money arrives, the provider's notification is still
    accepted, and payment.succeeded (payment's outbox, Kafka, ticketing's inbox) makes
    the order PAID once ticketing is back, with one ticket.paid."""
    from kafka_support import read_topic

    card = sellable(http, admin, capacity=5)
    reply = buy(http, account, card["slug"])
    assert reply.status_code == 200, reply.text
    order = reply.json()
    _kgo("stop", "ticketing")
    try:
        press_pay(order["paymentUrl"])
    finally:
        _kgo("start", "ticketing")
    wait_status(http, account, order["id"], "ORDER_STATUS_PAID", timeout=120)  # 503s while it starts
    records = read_topic("ticket.paid", key=order["id"], timeout=90)
    assert len(records) == 1
