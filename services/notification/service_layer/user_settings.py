"""What users manage themselves: their devices (push tokens) and preferences; and what
auth-service tells us of them (contacts)."""

from __future__ import annotations

from datetime import datetime

from services.notification.domain.model import Contact, Device
from services.notification.domain.preferences import Preferences, PreferencesChange
from services.notification.service_layer.ports import Clock, UnitOfWork, UnitOfWorkFactory, utc_now
from services.runtime.errors import NotFound
from services.runtime.transactions import retrying

MAX_DEVICES = 20  # per user: a token a phone no longer uses is forgotten when this many newer ones exist


class UserSettings:
    def __init__(self, unit_of_work: UnitOfWorkFactory, clock: Clock = utc_now) -> None:
        self._uow = unit_of_work
        self._clock = clock

    async def register_device(self, user_id: str, token: str, platform: str, locale: str) -> Device:
        async with self._uow() as uow:
            return await uow.devices.register(Device(token, user_id, platform, locale, self._clock()), MAX_DEVICES)

    async def unregister_device(self, user_id: str, token: str) -> None:
        async with self._uow() as uow:
            if not await uow.devices.remove(user_id, token):
                raise NotFound("no such device of yours", "DEVICE_NOT_FOUND")

    async def preferences(self, user_id: str) -> Preferences:
        async with self._uow() as uow:
            return (await uow.preferences.get_many([user_id])).get(user_id, Preferences())

    async def update_preferences(self, user_id: str, change: PreferencesChange) -> Preferences:
        async def attempt() -> Preferences:
            async with self._uow() as uow:
                current = (await uow.preferences.get_many([user_id])).get(user_id, Preferences())
                updated = change.applied_to(current, self._clock())
                await uow.preferences.save(user_id, updated)
                return updated

        return await retrying(attempt)


async def remember_contact(uow: UnitOfWork, user_id: str, email: str, login: str, full_name: str,
                           as_of: datetime | None) -> None:
    """auth-service's news of a user (signed up, updated): where to write to them."""
    if user_id and email:
        await uow.contacts.upsert(Contact(user_id, email, login, full_name, as_of))
