"""Keeping notification-service's tables bounded: notifications (with their deliveries
and inbox entries) are kept for a retention period, the push ledger for the push limit's
window. Small batches, so a sweep never holds long locks."""

from __future__ import annotations

from datetime import timedelta

from services.notification.service_layer.ports import Clock, UnitOfWorkFactory, utc_now

BATCH = 1000


async def sweep(unit_of_work: UnitOfWorkFactory, keep: timedelta, push_window: timedelta,
                clock: Clock = utc_now) -> int:
    """One sweep; how many notifications were forgotten."""
    now = clock()
    async with unit_of_work() as uow:
        await uow.push_ledger.forget_before(now - push_window)
    forgotten = 0
    while True:
        async with unit_of_work() as uow:
            count = await uow.notifications.forget_before(now - keep, BATCH)
        forgotten += count
        if count < BATCH:
            return forgotten
