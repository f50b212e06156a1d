"""Opaque page tokens of "my orders": the keyset position, bound to the user it was issued to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.runtime import page_tokens


@dataclass(frozen=True, slots=True)
class OrderCursor:
    """The last (create_time, id) of the previous page (newest first)."""

    create_time: datetime
    order_id: str


def encode(cursor: OrderCursor, user_id: str) -> str:
    return page_tokens.encode(cursor.create_time, cursor.order_id, user_id)


def decode(token: str, user_id: str) -> OrderCursor:
    return OrderCursor(*page_tokens.decode(token, user_id, mismatch="the page token belongs to another user"))
