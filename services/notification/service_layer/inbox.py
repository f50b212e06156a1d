"""A user's in-app inbox: what was sent to them, newest first, and what they have read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.notification.domain.model import InboxItem
from services.notification.service_layer.ports import Clock, UnitOfWorkFactory, utc_now
from services.runtime import page_tokens
from services.runtime.errors import InvalidArgument, NotFound


@dataclass(frozen=True, slots=True)
class InboxPage:
    items: list[InboxItem]
    next_page_token: str
    unread: int


def _bound_to(user_id: str) -> str:
    return f"inbox:{user_id}"


def _position(token: str, user_id: str) -> tuple[datetime, str]:
    at, key = page_tokens.decode(token, _bound_to(user_id), mismatch="this page token is not for your inbox")
    try:
        return at, str(uuid.UUID(key))
    except ValueError:
        raise InvalidArgument.on_field("pageToken", "malformed page token") from None


class InboxReader:
    def __init__(self, unit_of_work: UnitOfWorkFactory, clock: Clock = utc_now) -> None:
        self._uow = unit_of_work
        self._clock = clock

    async def page(self, user_id: str, size: int, token: str) -> InboxPage:
        after = _position(token, user_id) if token else None
        async with self._uow() as uow:
            items = await uow.inbox.page(user_id, after, size + 1)
            unread = await uow.inbox.unread(user_id)
        more, items = len(items) > size, items[:size]
        last = items[-1] if items else None
        next_token = page_tokens.encode(last.create_time, last.notification_id, _bound_to(user_id)) \
            if more and last else ""
        return InboxPage(items, next_token, unread)

    async def mark_read(self, user_id: str, notification_id: str) -> InboxItem:
        async with self._uow() as uow:
            item = await uow.inbox.mark_read(user_id, notification_id, self._clock())
        if item is None:
            raise NotFound("no such notification of yours", "NOTIFICATION_NOT_FOUND")
        return item
