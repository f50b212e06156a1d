"""notification-service's PostgreSQL adapters on a real database (a scratch one with its
migrations): dispatchers share due deliveries (SKIP LOCKED) and leases; a delivery that
runs out of retries dead-letters its event through the outbox and lets the consumer take
it again; LISTEN/NOTIFY wakes the dispatcher; contacts and preferences round-trip."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest
from psycopg_pool import AsyncConnectionPool

from services.notification.adapters.unit_of_work import DLQ_DELIVERY_FAILED, NotificationUnitOfWork
from services.notification.adapters.wakeup import PostgresWakeup
from services.notification.domain.delivery_rules import RetryPolicy
from services.notification.domain.model import (
    Contact,
    MailContent,
    NewDelivery,
    Notification,
    PushContent,
    QrCode,
    SourceEvent,
)
from services.notification.domain.preferences import Preferences
from services.notification.domain.quiet_hours import QuietHours
from services.notification.service_layer.channels import OutgoingMail, ProviderUnavailable
from services.notification.service_layer.dispatching import Dispatcher, DispatchSettings
from services.runtime.db import migrate, open_pool, service_migrations

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
CONSUMER = "notification-events"


@pytest.fixture
async def pool(scratch_database: str) -> AsyncIterator[AsyncConnectionPool]:
    await migrate(scratch_database, service_migrations("notification"))
    opened = await open_pool(scratch_database, min_size=1, max_size=6)
    yield opened
    await opened.close()


async def _notification(pool: AsyncConnectionPool, deliveries: int, *, event: SourceEvent | None = None,
                        user_id: str = "u-1") -> list[str]:
    notification = Notification(str(uuid.uuid4()), f"event:{uuid.uuid4()}", "", "ticket_paid", "tickets", NOW, event)
    rows = [NewDelivery(str(uuid.uuid4()), notification.id, "email",
                        MailContent("Билеты", "текст", "<p>html</p>", (QrCode("k.p.s", "ticket-1.png", "t1"),)),
                        user_id=user_id) for _ in range(deliveries)]
    async with NotificationUnitOfWork(pool) as uow:
        await uow.contacts.upsert(Contact(user_id, f"{user_id}@example.com", "login", "Имя", NOW))
        await uow.notifications.add(notification, {"when": NOW})
        await uow.deliveries.add(rows, NOW)
    return [r.id for r in rows]


async def test_two_dispatchers_never_take_the_same_delivery(pool: AsyncConnectionPool) -> None:
    ids = await _notification(pool, 6)
    async with NotificationUnitOfWork(pool) as first:
        mine = await first.deliveries.claim_due(NOW, 4)
        async with NotificationUnitOfWork(pool) as second:
            theirs = await second.deliveries.claim_due(NOW, 10)  # the first's rows are locked: skipped
    assert len(mine) == 4 and len(theirs) == 2
    assert {d.id for d in mine} | {d.id for d in theirs} == set(ids)
    assert all(d.address == "u-1@example.com" and d.kind == "tickets" for d in mine)
    content = mine[0].content
    assert isinstance(content, MailContent) and content.qr_codes == (QrCode("k.p.s", "ticket-1.png", "t1"),)


async def test_a_lease_hides_a_delivery_until_it_runs_out(pool: AsyncConnectionPool) -> None:
    [delivery] = await _notification(pool, 1)
    async with NotificationUnitOfWork(pool) as uow:
        assert [d.id for d in await uow.deliveries.claim_due(NOW, 10)] == [delivery]
        await uow.deliveries.lease([delivery], NOW + timedelta(seconds=60))
    async with NotificationUnitOfWork(pool) as uow:
        assert await uow.deliveries.claim_due(NOW + timedelta(seconds=59), 10) == []
        assert await uow.deliveries.next_due() == NOW + timedelta(seconds=60)
        again = await uow.deliveries.claim_due(NOW + timedelta(seconds=61), 10)  # its dispatcher died
    assert [(d.id, d.attempts) for d in again] == [(delivery, 1)]


class DownMail:
    def __init__(self) -> None:
        self.tried: list[OutgoingMail] = []

    async def send(self, mail: OutgoingMail) -> None:
        self.tried.append(mail)
        raise ProviderUnavailable("connection refused")


class Qr:
    def png(self, text: str) -> bytes:
        return b"\x89PNG" + text.encode()


async def test_the_last_failed_attempt_dead_letters_the_event_through_the_outbox(pool: AsyncConnectionPool) -> None:
    ce_id = str(uuid.uuid4())
    event = SourceEvent(CONSUMER, "ticket.paid", b"order-1", b"\x0a\x01x", {"ce_id": ce_id, "ce_type": "T"})
    async with pool.connection() as conn:  # the consumer had recorded the event as handled
        await conn.execute("INSERT INTO inbox (consumer, ce_id, topic) VALUES (%s, %s, 'ticket.paid')",
                           (CONSUMER, ce_id))
    await _notification(pool, 2, event=event)
    mail = DownMail()
    dispatcher = Dispatcher(lambda: NotificationUnitOfWork(pool), mail, {}, Qr(), clock=lambda: NOW,
                            settings=DispatchSettings(retry=RetryPolicy(1.0, 60.0, max_attempts=1)))
    assert await dispatcher.dispatch_once() == 2
    assert len(mail.tried) == 2 and mail.tried[0].attachments[0].data == b"\x89PNGk.p.s"
    async with pool.connection() as conn:
        states = await (await conn.execute("SELECT state, attempts FROM deliveries")).fetchall()
        letters = await (await conn.execute("SELECT topic, key, payload, headers FROM outbox")).fetchall()
        inbox = await (await conn.execute("SELECT 1 FROM inbox WHERE ce_id = %s", (ce_id,))).fetchall()
    assert [(s["state"], s["attempts"]) for s in states] == [("failed", 1), ("failed", 1)]
    [letter] = letters  # one per event, however many of its deliveries gave up
    assert (letter["topic"], bytes(letter["key"]), bytes(letter["payload"])) == ("ticket.paid.dlq", b"order-1",
                                                                                 b"\x0a\x01x")
    assert letter["headers"]["ce_id"] == ce_id and letter["headers"]["dlq_cause"] == DLQ_DELIVERY_FAILED
    assert letter["headers"]["dlq_consumer"] == CONSUMER
    assert inbox == []  # `kgo events dlq replay` brings it back to a consumer that takes it


async def test_listen_notify_wakes_the_dispatcher(pool: AsyncConnectionPool, scratch_database: str) -> None:
    wakeup = PostgresWakeup(scratch_database)
    try:
        await wakeup.wait(0.01)  # listening from now on
        waiting = asyncio.create_task(wakeup.wait(60))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        async with NotificationUnitOfWork(pool) as uow:
            await uow.wake_dispatcher()
        await asyncio.wait_for(waiting, 20)  # woken by the commit, long before its 60 s
    finally:
        await wakeup.close()


async def test_contacts_preferences_and_the_push_ledger_round_trip(pool: AsyncConnectionPool) -> None:
    quiet = Preferences(channels={"push": False}, kinds={"campaigns": True},
                        quiet_hours=QuietHours(time(22, 0), time(8, 0)), time_zone="Asia/Omsk", locale="en",
                        update_time=NOW)
    async with NotificationUnitOfWork(pool) as uow:
        await uow.contacts.upsert(Contact("u-2", "new@example.com", "l", "Имя", NOW))
        await uow.contacts.upsert(Contact("u-2", "old@example.com", "l", "Имя", NOW - timedelta(hours=1)))
        await uow.preferences.save("u-2", quiet)
        assert await uow.push_ledger.lock_and_read(["u-2"], NOW - timedelta(hours=1)) == {"u-2": {}}
        notification_id = str(uuid.uuid4())
        await uow.push_ledger.record([("u-2", notification_id, NOW)])
        await uow.push_ledger.record([("u-2", notification_id, NOW + timedelta(minutes=5))])  # one per notification
    async with NotificationUnitOfWork(pool) as uow:
        assert (await uow.contacts.get_many(["u-2"]))["u-2"].email == "new@example.com"
        assert (await uow.preferences.get_many(["u-2", "nobody"])) == {"u-2": quiet}
        assert await uow.push_ledger.lock_and_read(["u-2", "u-9"], NOW - timedelta(hours=1)) == {
            "u-2": {notification_id: NOW}, "u-9": {}}


async def test_the_push_limit_holds_across_dispatchers(pool: AsyncConnectionPool) -> None:
    """Two dispatchers deciding the same user's pushes at once: the second waits for the
    first's lock, then sees its push (a snapshot taken after the lock)."""
    async with NotificationUnitOfWork(pool) as first:
        await first.push_ledger.lock_and_read(["u-4"], NOW - timedelta(hours=1))

        async def second() -> dict[str, dict[str, datetime]]:
            async with NotificationUnitOfWork(pool) as uow:
                return await uow.push_ledger.lock_and_read(["u-4"], NOW - timedelta(hours=1))

        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.2)
        assert not waiting.done()  # blocked on the first's lock
        pushed = str(uuid.uuid4())
        await first.push_ledger.record([("u-4", pushed, NOW)])
    assert (await asyncio.wait_for(waiting, 20)) == {"u-4": {pushed: NOW}}


async def test_pushes_wait_for_a_removed_device_to_fail(pool: AsyncConnectionPool) -> None:
    notification = Notification(str(uuid.uuid4()), f"event:{uuid.uuid4()}", "", "message", "service", NOW)
    push = NewDelivery(str(uuid.uuid4()), notification.id, "push", PushContent("t", "b", {"k": "v"}, "c"),
                       user_id="u-3", device_token="tok-1", platform="fcm")
    async with NotificationUnitOfWork(pool) as uow:
        await uow.notifications.add(notification, {})
        await uow.deliveries.add([push], NOW)
        [due] = await uow.deliveries.claim_due(NOW, 10)
    assert not due.device_registered and due.content == PushContent("t", "b", {"k": "v"}, "c")


async def test_the_retention_sweep_forgets_old_notifications_with_their_deliveries(pool: AsyncConnectionPool) -> None:
    from services.notification.service_layer.retention import sweep

    await _notification(pool, 2)
    async with pool.connection() as conn:
        await conn.execute("UPDATE notifications SET create_time = %s", (NOW - timedelta(days=100),))
    await _notification(pool, 1)
    assert await sweep(lambda: NotificationUnitOfWork(pool), timedelta(days=90), timedelta(hours=1),
                       clock=lambda: NOW) == 1
    async with pool.connection() as conn:
        left = await (await conn.execute("SELECT count(*) AS n FROM deliveries")).fetchone()
    assert left is not None and left["n"] == 1
