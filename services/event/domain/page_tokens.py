"""Opaque page tokens: the keyset cursor bound to the filters it was issued for."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime

from services.event.domain.model import Cursor
from services.runtime.errors import InvalidArgument


def _digest(fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:16]


def encode(cursor: Cursor, fingerprint: str) -> str:
    raw = json.dumps({"t": cursor.next_start.isoformat(), "s": cursor.slug, "f": _digest(fingerprint)})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(token: str, fingerprint: str) -> Cursor:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        cursor = Cursor(datetime.fromisoformat(data["t"]), str(data["s"]))
        issued_for = data["f"]
    except (ValueError, KeyError, TypeError):
        raise InvalidArgument.on_field("pageToken", "malformed page token") from None
    if issued_for != _digest(fingerprint):
        raise InvalidArgument.on_field("pageToken", "the page token belongs to a query with other filters")
    return cursor
