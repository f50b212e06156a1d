"""Helpers for the catalog tests: building events, publishing them as an admin through
the gateway, and paging through lists. Test events sit in an empty corner of the map
(around TEST_LAT/TEST_LON) under unique slugs, so the demo city never interferes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from auth_support import Account

TEST_LAT, TEST_LON = 56.95, 39.45  # fields north-east of Moscow: no demo venue there


def at(days: float = 0, hours: float = 0) -> datetime:
    return datetime.now(UTC) + timedelta(days=days, hours=hours)


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def event_body(*, slug: str | None = None, title: str = "Концерт камерной музыки", category: str = "concert",
               city: str = "moscow", starts: list[datetime] | None = None, hours: float = 2, is_free: bool = False,
               kids: bool = False, lat: float = TEST_LAT, lon: float = TEST_LON, **extra: Any) -> dict[str, Any]:
    starts = starts or [at(days=2)]
    body: dict[str, Any] = {
        "slug": slug or f"test-{uuid.uuid4().hex[:12]}",
        "title": title,
        "description": "Тестовое событие каталога.",
        "category": category,
        "tags": ["тест"],
        "city": city,
        "place": {"name": "Тестовая площадка", "address": "ул. Тестовая, 1", "lat": lat, "lon": lon},
        "sessions": [{"startTime": iso(s), "endTime": iso(s + timedelta(hours=hours))} for s in starts],
        "price": {"min": 0, "max": 0} if is_free else {"min": 500, "max": 1500},
        "isFree": is_free,
        "kids": kids,
        "ageRestriction": 0 if kids else 12,
    }
    return {**body, **extra}


def publish(http: httpx.Client, admin: Account, body: dict[str, Any]) -> dict[str, Any]:
    reply = http.post("/api/v1/events", json=body, headers=admin.headers)
    assert reply.status_code == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def list_all(http: httpx.Client, params: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """Every page of GET /api/v1/events; returns (events in order, totalSize of page 1)."""
    events: list[dict[str, Any]] = []
    token, total, pages = "", None, 0
    while True:
        reply = http.get("/api/v1/events", params={**params, **({"pageToken": token} if token else {})})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        total = body["totalSize"] if total is None else total
        events += body["events"]
        token = body["nextPageToken"]
        pages += 1
        assert pages < 1000, "pagination does not end"
        if not token:
            return events, total
