"""A page of reviews: its order and cursor. Pure."""

from __future__ import annotations

ORDERS = ("newest", "helpful")
DEFAULT_PAGE_SIZE = 20


def order_of(requested: str) -> str:
    return requested or "newest"
