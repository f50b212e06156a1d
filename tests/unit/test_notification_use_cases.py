"""notification-service's use cases with fakes of its ports: making notifications (once per
source, as preferences allow), the dispatcher (quiet hours, push limit, retries, dead
letters, dead tokens), devices, preferences and the inbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from notification_fakes import (
    FakeClock,
    FakeDatabase,
    FakeQr,
    FakeRenderer,
    FakeUnitOfWork,
    FakeWakeup,
    RecordingMail,
    RecordingPush,
    Row,
)

from services.notification.domain.delivery_rules import PushLimit, RetryPolicy
from services.notification.domain.model import (
    Contact,
    DeliveryState,
    Device,
    QrCode,
    Recipient,
    SourceEvent,
)
from services.notification.domain.preferences import Preferences, PreferencesChange
from services.notification.domain.quiet_hours import QuietHours
from services.notification.service_layer.channels import ProviderUnavailable, Rejected, TokenGone
from services.notification.service_layer.dispatching import Dispatcher, DispatchSettings
from services.notification.service_layer.inbox import InboxReader
from services.notification.service_layer.notifying import Notifier, NotifyCommand
from services.notification.service_layer.user_settings import UserSettings, remember_contact
from services.runtime.errors import InvalidArgument, NotFound

NOON_MOSCOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
ANNA = "user-anna"


class World:
    def __init__(self, *, retry: RetryPolicy | None = None, push_limit: int = 20) -> None:
        self.db = FakeDatabase()
        self.clock = FakeClock(NOON_MOSCOW)
        self.mail = RecordingMail()
        self.fcm = RecordingPush()
        self.notifier = Notifier(self.uow, FakeRenderer({"message": ["title"]}), clock=self.clock)
        self.dispatcher = Dispatcher(
            self.uow, self.mail, {"fcm": self.fcm}, FakeQr(), clock=self.clock, draw=lambda: 0.0,
            settings=DispatchSettings(retry=retry or RetryPolicy(1.0, 60.0, 3),
                                      push_limit=PushLimit(push_limit, timedelta(hours=1))))
        self.settings = UserSettings(self.uow, clock=self.clock)

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.db)

    async def user(self, user_id: str = ANNA, *, devices: int = 1, locale: str = "") -> None:
        async with self.uow() as uow:
            await remember_contact(uow, user_id, f"{user_id}@example.com", user_id, "Анна", None)
        for n in range(devices):
            await self.settings.register_device(user_id, f"{user_id}-token-{n}", "fcm", locale)

    def rows(self, channel: str | None = None) -> list[Row]:
        return [r for r in self.db.state.deliveries.values() if channel is None or r.new.channel == channel]

    def state_of(self, channel: str) -> list[DeliveryState]:
        return [r.state for r in self.db.state.deliveries.values() if r.new.channel == channel]


def command(source: str = "event:e-1", *, users: tuple[str, ...] = (ANNA,), template: str = "message",
            channels: frozenset[str] = frozenset({"email", "push"}), title: str = "Джаз",
            event: SourceEvent | None = None, request_hash: str = "") -> NotifyCommand:
    return NotifyCommand(source_key=source, template_id=template, recipients=tuple(Recipient(user_id=u) for u in users),
                         channels=channels, params={"title": title}, request_hash=request_hash, source_event=event)


async def test_a_notification_goes_by_email_push_and_inbox_once_per_source() -> None:
    w = World()
    await w.user(devices=2)
    first = await w.notifier.notify(command())
    again = await w.notifier.notify(command())  # the same event again (a replay)
    assert first == again
    assert sorted(r.new.channel for r in w.rows()) == ["email", "push", "push"]
    assert w.db.state.wakes == 1
    assert await w.dispatcher.dispatch_once() == 3
    assert [m.to for m in w.mail.sent] == [f"{ANNA}@example.com"]
    assert sorted(p.token for p in w.fcm.sent) == [f"{ANNA}-token-0", f"{ANNA}-token-1"]
    assert w.state_of("email") == [DeliveryState.SENT] and w.state_of("push") == [DeliveryState.SENT] * 2
    assert await w.dispatcher.dispatch_once() == 0  # nothing twice
    page = await InboxReader(w.uow).page(ANNA, 10, "")
    assert [i.notification_id for i in page.items] == [first] and page.unread == 1


async def test_notify_key_reused_for_another_request_is_refused() -> None:
    w = World()
    await w.user()
    one = await w.notifier.notify(command("notify:k", request_hash="a"))
    assert await w.notifier.notify(command("notify:k", request_hash="a")) == one
    with pytest.raises(InvalidArgument) as refused:
        await w.notifier.notify(command("notify:k", request_hash="b", title="other"))
    assert refused.value.reason == "IDEMPOTENCY_KEY_REUSED"


async def test_a_missing_template_parameter_is_the_callers_error_and_stores_nothing() -> None:
    w = World()
    bad = NotifyCommand(source_key="notify:x", template_id="message", recipients=(Recipient(email="a@example.com"),),
                        channels=frozenset({"email"}), params={})
    with pytest.raises(InvalidArgument) as refused:
        await w.notifier.notify(bad)
    assert refused.value.violations[0].field == "parameters" and "title" in refused.value.message
    assert not w.db.state.notifications


async def test_preferences_decide_channels_and_kinds() -> None:
    w = World()
    await w.user()
    await w.settings.update_preferences(ANNA, PreferencesChange(channels={"email": False}))
    await w.notifier.notify(command("event:1"))
    assert [r.new.channel for r in w.rows()] == ["push"]
    await w.settings.update_preferences(ANNA, PreferencesChange(kinds={"service": False}))
    await w.notifier.notify(command("event:2"))
    assert len(w.rows()) == 1  # the kind is off: nothing, not even the inbox
    assert len((await InboxReader(w.uow).page(ANNA, 10, "")).items) == 1
    campaign = NotifyCommand(source_key="event:3", template_id="campaign", recipients=(Recipient(user_id=ANNA),),
                             channels=frozenset({"push"}), params={"title": "Скидки"})
    await w.notifier.notify(campaign)
    assert len(w.rows()) == 1  # campaigns are opt-in


async def test_raw_addresses_get_email_only() -> None:
    w = World()
    await w.notifier.notify(NotifyCommand(source_key="notify:r", template_id="message",
                                          recipients=(Recipient(email="guest@example.com"),),
                                          channels=frozenset({"email", "push"}), params={"title": "Привет"}))
    await w.dispatcher.dispatch_once()
    assert [m.to for m in w.mail.sent] == ["guest@example.com"] and not w.fcm.sent


async def test_the_email_waits_for_an_address_then_goes_to_the_current_one() -> None:
    w = World()
    await w.notifier.notify(command(channels=frozenset({"email"})))  # auth's news of the user not here yet
    await w.dispatcher.dispatch_once()
    assert not w.mail.sent and w.state_of("email") == [DeliveryState.PENDING]
    async with w.uow() as uow:
        await remember_contact(uow, ANNA, "anna@new.example.com", "anna", "Анна", None)
    w.clock.now += timedelta(seconds=5)
    await w.dispatcher.dispatch_once()
    assert [m.to for m in w.mail.sent] == ["anna@new.example.com"]


async def test_quiet_hours_hold_pushes_until_their_end_but_not_email() -> None:
    w = World()
    await w.user()
    await w.settings.update_preferences(ANNA, PreferencesChange(quiet_hours=("22:00", "08:00")))
    w.clock.now = datetime(2026, 12, 5, 21, 30, tzinfo=UTC)  # 00:30 in Moscow
    await w.notifier.notify(command())
    await w.dispatcher.dispatch_once()
    assert len(w.mail.sent) == 1 and not w.fcm.sent
    held = next(r for r in w.rows("push"))
    assert held.state is DeliveryState.DEFERRED
    assert held.next_attempt_at == datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
    w.clock.now = datetime(2026, 12, 6, 4, 59, tzinfo=UTC)
    assert await w.dispatcher.dispatch_once() == 0
    w.clock.now = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)  # 08:00 in Moscow
    await w.dispatcher.dispatch_once()
    assert len(w.fcm.sent) == 1 and w.state_of("push") == [DeliveryState.SENT]


async def test_the_push_limit_defers_the_rest_of_the_hour_counting_notifications_not_devices() -> None:
    w = World(push_limit=2)
    await w.user(devices=2)
    for n in range(3):
        await w.notifier.notify(command(f"event:{n}", channels=frozenset({"push"})))
        w.clock.now += timedelta(minutes=1)
    sent_at = w.clock.now
    await w.dispatcher.dispatch_once()
    assert len(w.fcm.sent) == 4  # two notifications, on both devices
    deferred = [r for r in w.rows("push") if r.state is DeliveryState.DEFERRED]
    assert len(deferred) == 2
    assert {r.next_attempt_at for r in deferred} == {sent_at + timedelta(hours=1)}
    w.clock.now = sent_at + timedelta(minutes=59)
    assert await w.dispatcher.dispatch_once() == 0
    w.clock.now = sent_at + timedelta(hours=1)
    await w.dispatcher.dispatch_once()
    assert len(w.fcm.sent) == 6


async def test_an_unavailable_provider_is_retried_with_backoff_then_the_event_is_dead_lettered() -> None:
    w = World(retry=RetryPolicy(1.0, 60.0, 3))
    await w.user(devices=0)
    event = SourceEvent("notification-events", "ticket.paid", b"order-1", b"payload", {"ce_id": "e-1"})
    await w.notifier.notify(command(channels=frozenset({"email"}), event=event))
    w.mail.fail = [ProviderUnavailable("down")] * 3
    await w.dispatcher.dispatch_once()
    row = w.rows("email")[0]
    assert row.state is DeliveryState.PENDING and row.attempts == 1
    assert row.next_attempt_at == w.clock.now + timedelta(seconds=0.5)
    assert await w.dispatcher.dispatch_once() == 0  # not due yet
    w.clock.now += timedelta(seconds=1)
    await w.dispatcher.dispatch_once()
    assert w.rows("email")[0].attempts == 2
    w.clock.now += timedelta(seconds=5)
    await w.dispatcher.dispatch_once()
    row = w.rows("email")[0]
    assert row.state is DeliveryState.FAILED and "gave up after 3 attempts" in row.last_error
    assert [(e.topic, e.ce_id) for e, _ in w.db.state.dead_letters] == [("ticket.paid", "e-1")]
    # `kgo events dlq replay`: the event comes back; the failed delivery goes again, once.
    await w.notifier.notify(command(channels=frozenset({"email"}), event=event))
    await w.dispatcher.dispatch_once()
    assert len(w.mail.sent) == 1 and w.state_of("email") == [DeliveryState.SENT]


async def test_a_provider_back_after_an_outage_brings_waiting_retries_forward() -> None:
    w = World(retry=RetryPolicy(10.0, 600.0, 10))
    await w.user(devices=0)
    await w.notifier.notify(command("event:1", channels=frozenset({"email"})))
    w.mail.fail = [ProviderUnavailable("down")]
    await w.dispatcher.dispatch_once()  # the first fails: due again in 5 s
    w.clock.now += timedelta(seconds=1)
    await w.notifier.notify(command("event:2", channels=frozenset({"email"})))
    w.mail.fail = [ProviderUnavailable("down")]
    await w.dispatcher.dispatch_once()  # the second fails too: due in 5 s from now
    assert not w.mail.sent
    w.clock.now += timedelta(seconds=4)  # the first is due, the second not yet (1 s to go); the server is back
    await w.dispatcher.dispatch_once()
    assert len(w.mail.sent) == 1
    await w.dispatcher.dispatch_once()  # the success brought the other forward
    assert len(w.mail.sent) == 2 and w.state_of("email") == [DeliveryState.SENT] * 2


async def test_a_gone_token_is_deleted_and_a_rejected_message_fails() -> None:
    w = World()
    await w.user(devices=1)
    await w.notifier.notify(command("event:1", channels=frozenset({"push"})))
    await w.notifier.notify(command("event:2", channels=frozenset({"email"})))
    w.fcm.fail = [TokenGone("UNREGISTERED")]
    w.mail.fail = [Rejected("550 no such mailbox")]
    await w.dispatcher.dispatch_once()
    assert not w.db.state.devices
    assert w.state_of("push") == [DeliveryState.FAILED] and w.state_of("email") == [DeliveryState.FAILED]
    assert not w.db.state.dead_letters  # retrying could not help: nothing to re-drive


async def test_an_email_carries_the_qr_codes_as_inline_png() -> None:
    w = World()
    await w.user(devices=0)
    await w.notifier.notify(NotifyCommand(
        source_key="event:t", template_id="message", recipients=(Recipient(user_id=ANNA),),
        channels=frozenset({"email"}), params={"title": "Билеты"},
        qr_codes=(QrCode("kid.payload.sig", "ticket-1.png", "ticket-t1"),)))
    await w.dispatcher.dispatch_once()
    [mail] = w.mail.sent
    assert [(a.filename, a.content_type, a.data, a.content_id) for a in mail.attachments] == \
        [("ticket-1.png", "image/png", b"PNG:kid.payload.sig", "ticket-t1")]
    assert mail.delivery_id == w.rows("email")[0].new.id


async def test_a_removed_device_and_a_switched_off_channel_get_nothing() -> None:
    w = World()
    await w.user(devices=1)
    await w.settings.update_preferences(ANNA, PreferencesChange(quiet_hours=("00:00", "23:59")))
    await w.notifier.notify(command("event:1", channels=frozenset({"push"})))
    await w.dispatcher.dispatch_once()  # deferred by quiet hours meanwhile
    await w.settings.unregister_device(ANNA, f"{ANNA}-token-0")
    await w.notifier.notify(command("event:2", channels=frozenset({"email"})))
    await w.settings.update_preferences(ANNA, PreferencesChange(channels={"email": False}, quiet_hours=("", "")))
    w.clock.now += timedelta(days=1)
    await w.dispatcher.dispatch_once()
    assert not w.fcm.sent and not w.mail.sent
    assert {r.last_error for r in w.rows()} == {
        "the device was unregistered", "switched off in the user's preferences"}


async def test_devices_are_their_owners_and_preferences_default() -> None:
    w = World()
    await w.settings.register_device(ANNA, "shared-token", "fcm", "en")
    await w.settings.register_device("bob", "shared-token", "fcm", "ru")  # the phone changed hands
    with pytest.raises(NotFound):
        await w.settings.unregister_device(ANNA, "shared-token")
    await w.settings.unregister_device("bob", "shared-token")
    assert await w.settings.preferences(ANNA) == Preferences()


async def test_locale_comes_from_preferences_else_the_device() -> None:
    w = World()
    await w.user(devices=1, locale="en")
    await w.notifier.notify(command("event:1"))
    await w.settings.update_preferences(ANNA, PreferencesChange(locale="ru"))
    await w.notifier.notify(command("event:2"))
    await w.dispatcher.dispatch_once()
    assert sorted(m.subject for m in w.mail.sent) == ["message/en", "message/ru"]
    assert sorted(p.title for p in w.fcm.sent) == ["message/en", "message/ru"]


async def test_the_inbox_pages_newest_first_and_marks_read() -> None:
    w = World()
    await w.user(devices=0)
    ids = []
    for n in range(5):
        ids.append(await w.notifier.notify(command(f"event:{n}", channels=frozenset({"email"}))))
        w.clock.now += timedelta(seconds=1)
    reader = InboxReader(w.uow, clock=w.clock)
    seen, token = [], ""
    while True:
        page = await reader.page(ANNA, 2, token)
        seen += [i.notification_id for i in page.items]
        token = page.next_page_token
        if not token:
            break
    assert seen == list(reversed(ids))
    read = await reader.mark_read(ANNA, ids[0])
    assert read.read_time == w.clock.now and (await reader.page(ANNA, 1, "")).unread == 4
    with pytest.raises(NotFound):
        await reader.mark_read("someone-else", ids[1])
    with pytest.raises(InvalidArgument):
        await reader.page("someone-else", 2, (await reader.page(ANNA, 2, "")).next_page_token)


async def test_contacts_keep_the_newest_news() -> None:
    w = World()
    newer, older = NOON_MOSCOW, NOON_MOSCOW - timedelta(hours=1)
    async with w.uow() as uow:
        await remember_contact(uow, ANNA, "new@example.com", "anna", "Анна", newer)
        await remember_contact(uow, ANNA, "old@example.com", "anna", "Анна", older)
    assert w.db.state.contacts[ANNA] == Contact(ANNA, "new@example.com", "anna", "Анна", newer)


async def test_the_dispatcher_loop_sends_and_sleeps_until_woken() -> None:
    import asyncio

    w = World()
    await w.user(devices=1)
    await w.notifier.notify(command())
    wakeup = FakeWakeup()
    loop = asyncio.create_task(w.dispatcher.run(wakeup))
    for _ in range(100):
        await asyncio.sleep(0)
        if len(w.mail.sent) == 1 and len(w.fcm.sent) == 1 and wakeup.waits:
            break
    loop.cancel()
    assert len(w.mail.sent) == 1 and len(w.fcm.sent) == 1 and wakeup.waits


def test_device_fixture_shape() -> None:
    assert Device("t", ANNA, "fcm", "ru", NOON_MOSCOW).platform == "fcm"
    assert QuietHours.parse("22:00", "08:00").crosses_midnight


async def test_news_older_than_the_limit_makes_no_notification() -> None:
    w = World()
    w.notifier = Notifier(w.uow, FakeRenderer(), max_event_age=timedelta(hours=24), clock=w.clock)
    await w.user()
    old = replace(command("event:old"), occurred_at=NOON_MOSCOW - timedelta(hours=25))
    fresh = replace(command("event:fresh"), occurred_at=NOON_MOSCOW - timedelta(hours=23))
    assert await w.notifier.notify(old) == ""
    assert await w.notifier.notify(fresh)
    assert [n.source_key for n in w.db.state.notifications.values()] == ["event:fresh"]


async def test_outcomes_are_counted_by_channel() -> None:
    counted: list[tuple[str, str]] = []
    w = World()
    w.dispatcher = Dispatcher(w.uow, w.mail, {"fcm": w.fcm}, FakeQr(), clock=w.clock, draw=lambda: 0.0,
                              count=lambda channel, outcome: counted.append((channel, outcome)))
    await w.user(devices=1)
    await w.notifier.notify(command())
    w.mail.fail = [ProviderUnavailable("down")]
    await w.dispatcher.dispatch_once()
    assert sorted(counted) == [("email", "retry"), ("push", "sent")]


async def test_old_notifications_and_pushes_are_swept() -> None:
    from services.notification.service_layer.retention import sweep

    w = World()
    await w.user(devices=1)
    old = await w.notifier.notify(command("event:old"))
    await w.dispatcher.dispatch_once()
    w.clock.now += timedelta(days=91)
    fresh = await w.notifier.notify(command("event:fresh"))
    assert await sweep(w.uow, timedelta(days=90), timedelta(hours=1), clock=w.clock) == 1
    assert list(w.db.state.notifications) == [fresh] and old not in {i for i, _ in w.db.state.inbox}
    assert {r.new.notification_id for r in w.db.state.deliveries.values()} == {fresh}
    assert not w.db.state.ledger  # the old push no longer counts
