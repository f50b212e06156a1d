"""Opaque page tokens of the tour list: the keyset cursor bound to the filters it was
issued for, in the runtime's (time, key) codec. Nearest-first lists have no time in
their position: the key then carries the distance, zero-padded so that keys sort as
distances do, and the time is the epoch."""

from __future__ import annotations

from datetime import UTC, datetime

from services.gid.domain.model import Cursor
from services.runtime import page_tokens
from services.runtime.errors import InvalidArgument

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MISMATCH = "the page token belongs to a query with other filters"


def encode(cursor: Cursor, fingerprint: str) -> str:
    if cursor.distance_mm is not None:
        return page_tokens.encode(_EPOCH, f"{cursor.distance_mm:015d}/{cursor.id}", fingerprint)
    assert cursor.create_time is not None
    return page_tokens.encode(cursor.create_time, cursor.id, fingerprint)


def decode(token: str, fingerprint: str, *, nearest_first: bool) -> Cursor:
    at, key = page_tokens.decode(token, fingerprint, mismatch=_MISMATCH)
    if not nearest_first:
        return Cursor(create_time=at, id=key)
    distance, _, tour_id = key.partition("/")
    if not distance.isdigit():
        raise InvalidArgument.on_field("pageToken", "malformed page token")
    return Cursor(distance_mm=int(distance), id=tour_id)
