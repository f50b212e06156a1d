"""Opaque page tokens of the catalog: the keyset cursor bound to the filters it was issued for."""

from __future__ import annotations

from services.event.domain.model import Cursor
from services.runtime import page_tokens


def encode(cursor: Cursor, fingerprint: str) -> str:
    return page_tokens.encode(cursor.next_start, cursor.slug, fingerprint)


def decode(token: str, fingerprint: str) -> Cursor:
    return Cursor(*page_tokens.decode(token, fingerprint,
                                      mismatch="the page token belongs to a query with other filters"))
