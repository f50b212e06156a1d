"""notification-service on the real platform: a purchase paid on the CloudPayments sandbox
is mailed (event, session, seats, the tickets' QR codes) to the SMTP sink and pushed to
the buyer's device at the FCM sandbox; an avatar change is told; ticket.paid replayed
sends nothing twice; an SMTP server that refuses, or is down, gets the mail later; a dead
FCM token is removed; preferences (a channel off, quiet hours) are respected."""

from __future__ import annotations

import io
import ssl
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from auth_support import Account
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from conftest import KAFKA
from notification_support import (
    NOTIFICATION_DB,
    deliveries,
    eventually,
    fcm_token,
    inbox,
    kgo,
    mails,
    notifications,
    notifications_of,
    notify,
    pushes,
    register_device,
    set_preferences,
    settled,
    smtp_fault,
    wait_mail,
)
from notification_support import attachment as mail_attachment
from test_auth_avatar import image, presign, save_avatar, upload
from ticketing_support import paid_order, sellable

from kgo import paths, topology
from kulturago.gamification.v1 import events_pb2 as gamification_events
from kulturago.marketing.v1 import events_pb2 as marketing_events
from kulturago.notification.v1 import notification_service_pb2 as pb
from services.runtime.messaging.envelope import wrap

CONSUMER_GROUP = "notification-events"


def test_a_paid_order_is_mailed_with_its_qr_codes_and_pushed(http: httpx.Client, account: Account,
                                                              admin: Account) -> None:
    import zxingcpp
    from PIL import Image

    token = fcm_token()
    assert register_device(http, account, token).status_code == 200
    card = sellable(http, admin, seats=3)
    order = paid_order(http, account, card["slug"], session="seated", seats=["A-2", "A-3"])

    mail = wait_mail(account.email, card["title"])
    assert mail["subject"] == f"Ваши билеты: {card['title']}"
    assert card["title"] in mail["text"] and "место A-2" in mail["text"] and "место A-3" in mail["text"]
    assert card["title"] in mail["html"] and order["id"] in mail["text"]
    qr_parts = [a for a in mail["attachments"] if a["contentType"] == "image/png"]
    assert len(qr_parts) == 2 and all(a["contentId"] for a in qr_parts)
    assert all(f'cid:{a["contentId"]}' in mail["html"] for a in qr_parts)  # shown inline in the HTML
    decoded = {d.text for a in qr_parts for d in zxingcpp.read_barcodes(
        Image.open(io.BytesIO(mail_attachment(mail["id"], a["index"]))))}
    assert decoded == {t["secret"] for t in order["tickets"]}  # the signed secrets the door scans

    # The purchase may bring other news too (a first-ticket badge), in any order.
    pushed = eventually(lambda: [p["message"] for p in pushes(token)
                                 if p["message"].get("data", {}).get("orderId") == order["id"]],
                        "the order's push at the FCM sandbox")
    assert len(pushed) == 1
    assert pushed[0]["notification"]["title"] == "Билеты оплачены"
    assert card["title"] in pushed[0]["notification"]["body"]

    listed = [n for n in inbox(http, account)["notifications"] if n["templateId"] == "ticket_paid"]
    assert [n["data"]["orderId"] for n in listed] == [order["id"]]


def test_an_avatar_change_is_told_by_mail_and_push(http: httpx.Client, account: Account) -> None:
    token = fcm_token()
    assert register_device(http, account, token, locale="en").status_code == 200
    presigned = presign(http, account)
    assert upload(presigned, image()).status_code == 204
    assert save_avatar(http, account, presigned.object_key).status_code == 200
    mail = wait_mail(account.email, "profile picture")  # English: the device's language
    assert "If it was not you" in mail["text"]
    pushed = eventually(lambda: pushes(token), "a push about the avatar")
    assert pushed[0]["message"]["notification"]["title"] == "New profile picture"


def _ticket_paid_records(order_id: str) -> list[tuple[int, int, bytes, bytes, list[tuple[str, bytes]]]]:
    """(partition, offset, key, value, headers) of ticket.paid records of an order."""
    consumer = Consumer({"bootstrap.servers": KAFKA, "group.id": f"test-{uuid.uuid4()}", "enable.auto.commit": False,
                         "enable.partition.eof": True, "log_level": 3})
    try:
        partitions = sorted(consumer.list_topics("ticket.paid", timeout=10).topics["ticket.paid"].partitions)
        consumer.assign([TopicPartition("ticket.paid", p, OFFSET_BEGINNING) for p in partitions])
        ends: set[int] = set()
        found = []
        deadline = time.monotonic() + 60
        while ends != set(partitions) and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error() is not None:
                ends.add(msg.partition() or 0)
                continue
            if msg.key() == order_id.encode():
                found.append((msg.partition() or 0, msg.offset() or 0, msg.key() or b"", msg.value() or b"",
                              list(msg.headers() or [])))
        return found
    finally:
        consumer.close()


def _consumed_past(partition: int, offset: int) -> bool:
    consumer = Consumer({"bootstrap.servers": KAFKA, "group.id": CONSUMER_GROUP, "log_level": 3})
    try:
        [committed] = consumer.committed([TopicPartition("ticket.paid", partition)], timeout=10)
        return committed.offset > offset
    finally:
        consumer.close()


def _produce(producer: Producer, partition: int, key: bytes, value: bytes, headers: list[tuple[str, bytes]]) -> int:
    offsets: list[int] = []
    producer.produce("ticket.paid", key=key, value=value, headers=headers, partition=partition,
                     on_delivery=lambda err, msg: offsets.append(msg.offset() or 0))
    producer.flush(10)
    return offsets[0]


def test_ticket_paid_replayed_sends_nothing_twice(http: httpx.Client, account: Account, admin: Account) -> None:
    card = sellable(http, admin)
    order = paid_order(http, account, card["slug"])
    wait_mail(account.email, card["title"])
    [(partition, _, key, value, headers)] = _ticket_paid_records(order["id"])
    ce_id = dict(headers)["ce_id"].decode()
    producer = Producer({"bootstrap.servers": KAFKA, "log_level": 3})
    # The same record again, twice (a producer's retry, a topic replayed from the beginning),
    # and once more after the consumer's inbox forgot it (its rows are swept after 7 days):
    # the notification of that event exists already, so nothing is sent.
    for forget in (False, False, True):
        if forget:
            with psycopg.connect(NOTIFICATION_DB) as conn:
                conn.execute("DELETE FROM inbox WHERE consumer = %s AND ce_id = %s", (CONSUMER_GROUP, ce_id))
        offset = _produce(producer, partition, key, value, headers)
        eventually(lambda at=offset: _consumed_past(partition, at), "notification-service to consume the replay")
    assert len([m for m in mails(account.email) if card["title"] in m["subject"]]) == 1
    assert notifications_of(f"event:{ce_id}") == 1


def test_an_smtp_server_that_refuses_for_a_while_gets_the_mail_later() -> None:
    address = f"flaky-{uuid.uuid4().hex[:10]}@example.com"
    smtp_fault(method="RCPT", mode="reply", status=451, message="4.3.0 try again later", times=2,
               match={"to": address})
    with notifications() as stub:
        notification_id = notify(stub, emails=(address,), channels=("email",), title="Повтор")
        sent = settled(stub, notification_id, "email", pb.DELIVERY_STATE_SENT)
    # The two refusals, then the success (more only if another test's unscoped fault got in).
    assert sent.attempts >= 3 and sent.target == address
    assert [m["subject"] for m in mails(address)] == ["Повтор"]


@pytest.mark.disruptive
def test_mail_waits_while_the_smtp_server_is_down_and_goes_when_it_is_back() -> None:
    address = f"outage-{uuid.uuid4().hex[:10]}@example.com"
    kgo("stop", "smtp-sandbox")
    try:
        with notifications() as stub:
            notification_id = notify(stub, emails=(address,), channels=("email",), title="После сбоя")
            # A failed attempt recorded (an attempt in flight is pending too, without an error).
            waiting = eventually(lambda: next((d for d in deliveries(stub, notification_id) if d.last_error
                                               and d.state == pb.DELIVERY_STATE_PENDING), None),
                                 "a failed first attempt")
            assert waiting.attempts >= 1 and "SMTP" in waiting.last_error  # connection refused
    finally:
        kgo("start", "smtp-sandbox")
    with notifications() as stub:
        settled(stub, notification_id, "email", pb.DELIVERY_STATE_SENT, timeout=60)
    assert [m["subject"] for m in mails(address)] == ["После сбоя"]


def test_an_unregistered_fcm_token_is_removed(http: httpx.Client, account: Account) -> None:
    dead = fcm_token("unregistered")  # the sandbox answers UNREGISTERED (the app was uninstalled)
    alive = fcm_token()
    assert register_device(http, account, dead).status_code == 200
    assert register_device(http, account, alive).status_code == 200
    with notifications() as stub:
        notification_id = notify(stub, users=(account.id,), channels=("push",))
        failed = settled(stub, notification_id, "push", pb.DELIVERY_STATE_FAILED)
        settled(stub, notification_id, "push", pb.DELIVERY_STATE_SENT)
    assert "gone" in failed.last_error
    assert http.delete(f"/api/v1/devices/{dead}", headers=account.headers).status_code == 404  # removed
    assert http.delete(f"/api/v1/devices/{alive}", headers=account.headers).status_code == 200
    assert len(pushes(alive)) == 1


def test_a_channel_switched_off_gets_nothing(http: httpx.Client, account: Account) -> None:
    token = fcm_token()
    assert register_device(http, account, token).status_code == 200
    set_preferences(http, account, channels={"push": False})
    with notifications() as stub:
        notification_id = notify(stub, users=(account.id,), title="Только почта")
        settled(stub, notification_id, "email", pb.DELIVERY_STATE_SENT)
        assert [d.channel for d in stub.GetNotification(pb.GetNotificationRequest(id=notification_id)).deliveries] \
            == ["email"]
    assert not pushes(token)
    assert wait_mail(account.email, "Только почта")["subject"] == "Только почта"


def test_quiet_hours_defer_pushes_to_their_end_in_the_users_zone(http: httpx.Client, account: Account) -> None:
    token = fcm_token()
    assert register_device(http, account, token).status_code == 200
    zone = ZoneInfo("Asia/Vladivostok")  # UTC+10: the window is the user's, not the server's
    now = datetime.now(zone)
    start, end = (now - timedelta(hours=1)).strftime("%H:%M"), (now + timedelta(hours=2)).strftime("%H:%M")
    set_preferences(http, account, quietHours={"start": start, "end": end}, timeZone="Asia/Vladivostok")
    with notifications() as stub:
        notification_id = notify(stub, users=(account.id,), title="Ночью")
        held = settled(stub, notification_id, "push", pb.DELIVERY_STATE_DEFERRED)
        settled(stub, notification_id, "email", pb.DELIVERY_STATE_SENT)  # e-mail is not held
    ends = held.next_attempt_time.ToDatetime().replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    assert ends.strftime("%H:%M") == end and timedelta(hours=1) < ends - now <= timedelta(hours=2)
    assert not pushes(token)


def _publish(topic: str, key: str, message: Any) -> None:
    """An event as its producer's outbox relay would publish it (envelope and ce_* headers)."""
    envelope = wrap(topic, key, message, "//tests")
    producer = Producer({"bootstrap.servers": KAFKA, "log_level": 3})
    producer.produce(topic, key=envelope.key, value=envelope.payload, headers=list(envelope.headers.items()))
    assert producer.flush(10) == 0


def test_badges_and_campaigns_reach_their_users_as_they_allow(http: httpx.Client,
                                                              new_account: Callable[[], Account]) -> None:
    fan, shy = new_account(), new_account()
    tokens = {who.id: fcm_token() for who in (fan, shy)}
    for who in (fan, shy):
        assert register_device(http, who, tokens[who.id]).status_code == 200
    set_preferences(http, fan, kinds={"campaigns": True}, locale="en")  # advertising is opt-in
    _publish("badge.earned", fan.id, gamification_events.BadgeEarned(
        user_id=fan.id, badge_id="first-concert", names={"ru": "Первый концерт", "en": "First concert"}, level=2))
    assert "First concert" in wait_mail(fan.email, "New badge")["text"]
    campaign = uuid.uuid4().hex[:8]
    _publish("campaign.trigger", campaign, marketing_events.CampaignTrigger(
        campaign_id=campaign, batch_id="1", user_ids=[fan.id, shy.id], channels=["push"],
        deep_link="kulturago://events/jazz", messages={
            "ru": marketing_events.CampaignMessage(title="Джаз в субботу", body="Скидка 20%"),
            "en": marketing_events.CampaignMessage(title="Jazz on Saturday", body="20% off")}))
    [pushed] = eventually(lambda: [p for p in pushes(tokens[fan.id]) if p["message"]["data"]["template"] == "campaign"],
                          "the campaign's push")
    assert pushed["message"]["notification"] == {"title": "Jazz on Saturday", "body": "20% off"}
    assert pushed["message"]["data"]["deepLink"] == "kulturago://events/jazz"
    assert not pushes(tokens[shy.id]) and not inbox(http, shy)["notifications"]  # did not opt in


def test_an_apns_device_gets_its_push_over_http2(http: httpx.Client, account: Account) -> None:
    token = uuid.uuid4().hex + uuid.uuid4().hex  # 64 hex digits, as Apple's
    assert register_device(http, account, token, platform="apns").status_code == 200
    with notifications() as stub:
        notification_id = notify(stub, users=(account.id,), channels=("push",), title="Для iPhone")
        settled(stub, notification_id, "push", pb.DELIVERY_STATE_SENT)
    trust = ssl.create_default_context(cafile=str(paths.DEV_CERTIFICATE))
    sandbox = httpx.get(f"{topology.sandbox('apns').url}/sandbox/messages", params={"token": token}, verify=trust,
                        timeout=10).json()["messages"]
    assert sandbox[0]["payload"]["aps"]["alert"]["title"] == "Для iPhone"
    assert sandbox[0]["payload"]["notificationId"] == notification_id
