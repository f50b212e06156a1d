"""The sandbox's deliveries and unregistered device tokens in SQLite."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from sandboxes.sqlite_state import open_state

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, token TEXT NOT NULL, body TEXT NOT NULL, received REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_token ON deliveries (token, id);
CREATE TABLE IF NOT EXISTS unregistered (token TEXT PRIMARY KEY, since REAL NOT NULL);
"""


class Store:
    def __init__(self, path: Path) -> None:
        self._db = open_state(path, _SCHEMA)

    def close(self) -> None:
        self._db.close()

    def add(self, token: str, delivery: dict[str, Any]) -> None:
        self._db.execute("INSERT INTO deliveries (token, body, received) VALUES (?, ?, ?)",
                         (token, json.dumps(delivery), time.time()))

    def deliveries(self, token: str = "", limit: int = 100) -> list[dict[str, Any]]:
        query, params = "SELECT * FROM deliveries", []
        if token:
            query += " WHERE token = ?"
            params.append(token)
        rows = self._db.execute(query + " ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
        return [{**json.loads(r["body"]), "received": r["received"]} for r in rows]

    def unregister(self, token: str, since: float) -> None:
        self._db.execute("INSERT OR IGNORE INTO unregistered VALUES (?, ?)", (token, since))

    def unregistered_since(self, token: str) -> float | None:
        row = self._db.execute("SELECT since FROM unregistered WHERE token = ?", (token,)).fetchone()
        return float(row["since"]) if row else None
