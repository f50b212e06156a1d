"""The dispatcher: sends due deliveries through their channels, with retries.

One round takes due deliveries no other dispatcher holds (SELECT ... FOR UPDATE SKIP
LOCKED, so replicas share the work), decides in that short transaction what each may do
now, and leases the ones to send; the sends happen outside any transaction (a provider
may take seconds), each outcome recorded by itself as soon as it is known:

- a push inside the user's quiet hours waits for their end (DEFERRED), one beyond the
  user's hourly limit for its turn; e-mail is never held;
- a push to a device the user removed, or a channel or kind the user has since switched
  off, fails without being sent;
- ProviderUnavailable (and any unexpected error): tried again after a jittered,
  exponentially growing pause; after the last attempt the delivery FAILS and the event it
  came from goes to `<topic>.dlq` (`kgo events dlq replay` sends the failed ones again);
- TokenGone: the device token is deleted, the delivery fails; Rejected: it fails.

A dispatcher that dies mid-send leaves its leased deliveries to another once the lease
runs out (at-least-once; the delivery id travels with the message so a duplicate can be
recognised). New deliveries wake it at once (Wakeup: LISTEN/NOTIFY), otherwise it sleeps
until the next one is due.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.notification.domain.delivery_rules import PushLimit, RetryPolicy
from services.notification.domain.model import DueDelivery, MailContent, PushContent
from services.notification.domain.preferences import Preferences
from services.notification.service_layer.channels import (
    Attachment,
    MailSender,
    OutgoingMail,
    OutgoingPush,
    ProviderUnavailable,
    PushSender,
    Rejected,
    TokenGone,
)
from services.notification.service_layer.ports import (
    Clock,
    QrRenderer,
    UnitOfWork,
    UnitOfWorkFactory,
    Wakeup,
    utc_now,
)
from services.runtime.logging import get_logger

log = get_logger(__name__)

MAX_IDLE_SECONDS = 1.0  # a missed wake-up costs at most this much


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    push_limit: PushLimit = field(default_factory=PushLimit)
    lease: timedelta = timedelta(seconds=60)
    batch: int = 100
    concurrency: int = 32
    default_time_zone: str = "Europe/Moscow"


class Dispatcher:
    def __init__(self, unit_of_work: UnitOfWorkFactory, mail: MailSender | None, push: Mapping[str, PushSender],
                 qr: QrRenderer, *, settings: DispatchSettings = DispatchSettings(), clock: Clock = utc_now,
                 draw: Callable[[], float] = random.random,
                 count: Callable[[str, str], None] = lambda channel, outcome: None) -> None:
        self._uow = unit_of_work
        self._mail = mail
        self._push = dict(push)
        self._qr = qr
        self._settings = settings
        self._clock = clock
        self._draw = draw
        self._count = count  # (channel, outcome): sent, retry, failed, token_gone, rejected, deferred
        # Channels whose provider failed since their last success: the first success
        # after an outage brings their waiting retries forward.
        self._failing: set[str] = set()
        # Accepted by their provider, not recorded yet: recorded together (one statement
        # for all that finished meanwhile instead of a transaction each).
        self._sent: list[tuple[DueDelivery, str]] = []
        self._sent_waiting = asyncio.Event()
        # The soonest retry or deferral this dispatcher scheduled: it wakes for it by itself
        # (new deliveries wake it by NOTIFY; other replicas' schedules, within MAX_IDLE_SECONDS).
        self._soonest: datetime | None = None

    # -- the loop ----------------------------------------------------------------------

    async def run(self, wakeup: Wakeup, healthy: Callable[[], None] = lambda: None) -> None:
        """Dispatch until cancelled; at most `concurrency` sends at once."""
        s = self._settings
        in_flight: set[asyncio.Task[None]] = set()
        freed = asyncio.Event()

        def done(task: asyncio.Task[None]) -> None:
            in_flight.discard(task)
            freed.set()
            if not task.cancelled() and (error := task.exception()) is not None:
                log.error("delivery outcome not recorded (the lease will run out and it is tried again)",
                          error=f"{type(error).__name__}: {error}")

        recorder = asyncio.create_task(self._record_sent_continuously())
        try:
            while True:
                if recorder.done():
                    recorder.result()  # it never ends by itself: raise what stopped it
                room = min(s.batch, s.concurrency - len(in_flight))
                if room <= 0:
                    freed.clear()
                    await freed.wait()
                    continue
                taken = await self.claim(room)
                healthy()
                for delivery in taken:
                    task = asyncio.create_task(self.deliver(delivery))
                    in_flight.add(task)
                    task.add_done_callback(done)
                if len(taken) < room:  # caught up: sleep until woken or the next is due
                    await wakeup.wait(self._idle_seconds())
        finally:
            recorder.cancel()
            for task in in_flight:
                task.cancel()
            await self.record_sent()

    def _idle_seconds(self) -> float:
        if self._soonest is None:
            return MAX_IDLE_SECONDS
        left = (self._soonest - self._clock()).total_seconds()
        if left <= 0:
            self._soonest = None
            return 0.0
        return min(MAX_IDLE_SECONDS, left)

    def _scheduled(self, at: datetime) -> None:
        if self._soonest is None or at < self._soonest:
            self._soonest = at

    async def dispatch_once(self, limit: int | None = None) -> int:
        """One round, sends awaited and recorded (tests, and callers without a loop): how
        many were sent or tried."""
        taken = await self.claim(limit or self._settings.batch)
        await asyncio.gather(*(self.deliver(d) for d in taken))
        await self.record_sent()
        return len(taken)

    # -- deciding ----------------------------------------------------------------------

    async def claim(self, limit: int) -> list[DueDelivery]:
        """Due deliveries to send now, leased to this dispatcher; the others decided."""
        now = self._clock()
        async with self._uow() as uow:
            due = await uow.deliveries.claim_due(now, limit)
            emails: list[DueDelivery] = []
            pushes: list[DueDelivery] = []
            for d in due:
                if await self._may_send(uow, d, now):
                    (emails if d.channel == "email" else pushes).append(d)
            to_send = emails + await self._within_push_limit(uow, pushes, now)
            await uow.deliveries.lease([d.id for d in to_send], now + self._settings.lease)
        return to_send

    async def _may_send(self, uow: UnitOfWork, d: DueDelivery, now: datetime) -> bool:
        """Whether the delivery may go now as far as it alone can tell (the push limit,
        which weighs a user's pushes together, comes after); else decided here."""
        preferences = d.preferences or Preferences()
        if d.user_id and not preferences.allows(d.channel, d.kind):
            await uow.deliveries.failed(d.id, d.attempts, now, "switched off in the user's preferences")
            return False
        if d.channel == "email":
            if not d.address:
                await self._retry_or_give_up(uow, d, d.attempts + 1, "no e-mail address known for the user yet")
                return False
            return True
        if not d.device_registered:
            await uow.deliveries.failed(d.id, d.attempts, now, "the device was unregistered")
            return False
        if (until := preferences.push_held_until(now, self._settings.default_time_zone)) is not None:
            await self._defer(uow, d, until, "quiet hours")
            return False
        return True

    async def _defer(self, uow: UnitOfWork, d: DueDelivery, until: datetime, why: str) -> None:
        await uow.deliveries.defer(d.id, until, why)
        self._scheduled(until)
        self._count(d.channel, "deferred")

    async def _within_push_limit(self, uow: UnitOfWork, pushes: list[DueDelivery], now: datetime
                                 ) -> list[DueDelivery]:
        """The pushes the users' hourly limits let go now (one per notification counts: all
        of a user's devices get it); the others wait for their turn. The users' pushes are
        locked for this transaction, so replicas never let one more through together."""
        limit = self._settings.push_limit
        users = sorted({d.user_id for d in pushes if d.user_id})
        pushed = await uow.push_ledger.lock_and_read(users, now - limit.window) if users else {}
        allowed, decided = [], []
        for d in pushes:
            mine = pushed.get(d.user_id)
            if mine is None or d.notification_id in mine:
                allowed.append(d)  # not a user's, or this notification already counts
            elif (turn := limit.next_allowed(list(mine.values()), now)) is not None:
                await self._defer(uow, d, turn, f"push limit: {limit.limit} an hour")
            else:
                mine[d.notification_id] = now
                decided.append((d.user_id, d.notification_id, now))
                allowed.append(d)
        await uow.push_ledger.record(decided)
        return allowed

    # -- sending -----------------------------------------------------------------------

    async def deliver(self, d: DueDelivery) -> None:
        """Send one leased delivery and record the outcome."""
        attempt = d.attempts + 1
        try:
            target = await self._send(d)
        except ProviderUnavailable as error:
            self._failing.add(d.channel)
            await self._record_retry(d, attempt, str(error), error.retry_after)
        except TokenGone as error:
            await self._record_token_gone(d, attempt, str(error))
        except Rejected as error:
            async with self._uow() as uow:
                await uow.deliveries.failed(d.id, attempt, self._clock(), f"rejected: {error}")
            self._count(d.channel, "rejected")
        except Exception as error:  # a bug or a surprise of an adapter: maybe not next time
            log.exception("delivery failed unexpectedly", delivery_id=d.id, channel=d.channel)
            await self._record_retry(d, attempt, f"{type(error).__name__}: {error}", None)
        else:
            self._sent.append((d, target))
            self._sent_waiting.set()

    async def _send(self, d: DueDelivery) -> str:
        content = d.content
        if isinstance(content, MailContent):
            if self._mail is None:
                raise ProviderUnavailable("no mail channel is configured")
            attachments = tuple([Attachment(q.filename, "image/png", await asyncio.to_thread(self._qr.png, q.text),
                                            q.content_id) for q in content.qr_codes])
            await self._mail.send(OutgoingMail(to=d.address, subject=content.subject, text=content.text,
                                               html=content.html or None, attachments=attachments,
                                               delivery_id=d.id))
            return d.address
        assert isinstance(content, PushContent)
        sender = self._push.get(d.platform)
        if sender is None:
            raise ProviderUnavailable(f"no {d.platform} channel is configured")
        await sender.send(OutgoingPush(platform=d.platform, token=d.device_token,  # type: ignore[arg-type]
                                       title=content.title, body=content.body, data=dict(content.data),
                                       collapse_key=content.collapse_key or None, delivery_id=d.id))
        return d.platform

    async def record_sent(self) -> None:
        """Record the sends that finished since the last time (one statement for all)."""
        sent, self._sent = self._sent, []
        self._sent_waiting.clear()
        if not sent:
            return
        now = self._clock()
        recovered = {d.channel for d, _ in sent} & self._failing
        self._failing -= recovered
        try:
            async with self._uow() as uow:
                await uow.deliveries.sent([(d.id, target) for d, target in sent], now)
                for channel in recovered:
                    if await uow.deliveries.bring_forward(channel, now):
                        await uow.wake_dispatcher()
                        log.info("channel recovered: its waiting retries go now", channel=channel)
        except BaseException:
            self._sent[:0] = sent  # recorded with the next ones (their leases keep them ours meanwhile)
            self._failing |= recovered
            raise
        for d, _ in sent:
            self._count(d.channel, "sent")

    async def _record_sent_continuously(self) -> None:
        while True:
            await self._sent_waiting.wait()
            try:
                await self.record_sent()
            except Exception:
                log.exception("sent deliveries not recorded yet; trying again")
                await asyncio.sleep(0.5)

    async def _record_retry(self, d: DueDelivery, attempt: int, error: str, retry_after: float | None) -> None:
        async with self._uow() as uow:
            await self._retry_or_give_up(uow, d, attempt, error, retry_after)

    async def _record_token_gone(self, d: DueDelivery, attempt: int, error: str) -> None:
        now = self._clock()
        async with self._uow() as uow:
            await uow.devices.remove_token(d.device_token)
            await uow.deliveries.failed(d.id, attempt, now, f"device token gone: {error}")
            await uow.deliveries.fail_pending_to(d.device_token, now, "device token gone")
        self._count(d.channel, "token_gone")
        log.info("device token gone: removed", platform=d.platform, user_id=d.user_id)

    async def _retry_or_give_up(self, uow: UnitOfWork, d: DueDelivery, attempt: int, error: str,
                                retry_after: float | None = None) -> None:
        now = self._clock()
        retry = self._settings.retry
        if not retry.gives_up_after(attempt):
            delay = retry.delay(attempt, self._draw, retry_after)
            await uow.deliveries.retry(d.id, attempt, now + timedelta(seconds=delay), error)
            self._scheduled(now + timedelta(seconds=delay))
            self._count(d.channel, "retry")
            log.info("delivery will be retried", delivery_id=d.id, channel=d.channel, attempt=attempt,
                     retry_in=round(delay, 2), error=error)
            return
        reason = f"gave up after {attempt} attempts: {error}"
        await uow.deliveries.failed(d.id, attempt, now, reason)
        self._count(d.channel, "failed")
        if (event := await uow.notifications.take_for_dead_letter(d.notification_id)) is not None:
            await uow.dead_letter(event, reason)
        log.warning("delivery failed for good", delivery_id=d.id, channel=d.channel, attempts=attempt,
                    error=error, dead_lettered=event is not None)
