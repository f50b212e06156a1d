"""Opaque keyset page tokens (AIP-158): the (time, id) position after the last item of a
page, bound to what it was issued for (a query's filters, a user), so a token cannot be
replayed against another query or by another user. Pure: domains wrap it in their cursor."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime

from services.runtime.errors import InvalidArgument


def _digest(bound_to: str) -> str:
    return hashlib.sha256(bound_to.encode()).hexdigest()[:16]


def encode(at: datetime, key: str, bound_to: str) -> str:
    raw = json.dumps({"t": at.isoformat(), "k": key, "b": _digest(bound_to)})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(token: str, bound_to: str, *, mismatch: str) -> tuple[datetime, str]:
    """The position in `token`, or InvalidArgument on pageToken (malformed, or `mismatch`
    when it was issued for something else)."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        position = datetime.fromisoformat(data["t"]), str(data["k"])
        issued_for = data["b"]
    except (ValueError, KeyError, TypeError):
        raise InvalidArgument.on_field("pageToken", "malformed page token") from None
    if issued_for != _digest(bound_to):
        raise InvalidArgument.on_field("pageToken", mismatch)
    return position
