"""Opaque page tokens of "my orders": the keyset position, bound to the user it was issued to."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from services.runtime.errors import InvalidArgument


@dataclass(frozen=True, slots=True)
class OrderCursor:
    """The last (create_time, id) of the previous page (newest first)."""

    create_time: datetime
    order_id: str


def _digest(user_id: str) -> str:
    return hashlib.sha256(user_id.encode()).hexdigest()[:16]


def encode(cursor: OrderCursor, user_id: str) -> str:
    raw = json.dumps({"t": cursor.create_time.isoformat(), "i": cursor.order_id, "u": _digest(user_id)})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(token: str, user_id: str) -> OrderCursor:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        cursor = OrderCursor(datetime.fromisoformat(data["t"]), str(data["i"]))
        owner = data["u"]
    except (ValueError, KeyError, TypeError):
        raise InvalidArgument.on_field("pageToken", "malformed page token") from None
    if owner != _digest(user_id):
        raise InvalidArgument.on_field("pageToken", "the page token belongs to another user")
    return cursor
