"""Output-only fields (google.api.field_behavior) a client sends are ignored, never
stored: cleared by the runtime before the handler runs, the same in every service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from auth_support import Account
from catalog_support import event_body, publish

SERVER_SET = {"version": 999, "createTime": "2001-01-01T00:00:00Z", "updateTime": "2001-01-01T00:00:00Z",
              "nextStartTime": "2001-01-01T00:00:00Z", "rating": {"average": 5.0, "count": 1000}}


def _recent(timestamp: str) -> bool:
    return datetime.now(UTC) - datetime.fromisoformat(timestamp.replace("Z", "+00:00")) < timedelta(minutes=5)


def test_output_only_fields_of_a_published_event_are_ignored(http: httpx.Client, admin: Account) -> None:
    body = event_body(**SERVER_SET)
    first = publish(http, admin, body)
    assert first["version"] == "1"  # int64: a string in proto3 JSON
    assert _recent(first["createTime"]) and _recent(first["updateTime"])
    assert first["rating"] == {"average": 0, "count": 0}
    # Read back: nothing the client claimed was stored.
    card = http.get(f"/api/v1/events/{body['slug']}").json()
    assert (card["version"], card["createTime"], card["rating"]) == ("1", first["createTime"], first["rating"])
    assert card["nextStartTime"] != SERVER_SET["nextStartTime"]

    # Publishing the card as read (output-only fields included) is an update, not a conflict.
    again = publish(http, admin, {**card, "title": "Новое название"})
    assert (again["version"], again["createTime"], again["title"]) == ("2", first["createTime"], "Новое название")
