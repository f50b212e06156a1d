"""The sandbox's state in SQLite: issued access tokens, accepted deliveries and tokens the
tests unregistered, so that they survive a restart like FCM's would."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from sandboxes.sqlite_state import open_state

_SCHEMA = """
CREATE TABLE IF NOT EXISTS access_tokens (token TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL, token TEXT NOT NULL, body TEXT NOT NULL,
    received REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_token ON messages (token, id);
CREATE TABLE IF NOT EXISTS unregistered (token TEXT PRIMARY KEY, since REAL NOT NULL);
"""


class Store:
    def __init__(self, path: Path) -> None:
        self._db = open_state(path, _SCHEMA)

    def close(self) -> None:
        self._db.close()

    def issue(self, token: str, expires: float) -> None:
        self._db.execute("DELETE FROM access_tokens WHERE expires < ?", (time.time() - 86400,))
        self._db.execute("INSERT INTO access_tokens VALUES (?, ?)", (token, expires))

    def token_valid(self, token: str, now: float) -> bool:
        row = self._db.execute("SELECT expires FROM access_tokens WHERE token = ?", (token,)).fetchone()
        return row is not None and row["expires"] > now

    def expire_tokens(self) -> None:
        self._db.execute("UPDATE access_tokens SET expires = 0")

    def unregister(self, token: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO unregistered VALUES (?, ?)", (token, time.time()))

    def is_unregistered(self, token: str) -> bool:
        return self._db.execute("SELECT 1 FROM unregistered WHERE token = ?", (token,)).fetchone() is not None

    def add_message(self, project: str, token: str, message: dict[str, Any]) -> int:
        cursor = self._db.execute("INSERT INTO messages (project, token, body, received) VALUES (?, ?, ?, ?)",
                                  (project, token, json.dumps(message), time.time()))
        return int(cursor.lastrowid or 0)

    def messages(self, token: str = "", limit: int = 100) -> list[dict[str, Any]]:
        query, params = "SELECT * FROM messages", []
        if token:
            query += " WHERE token = ?"
            params.append(token)
        rows = self._db.execute(query + " ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
        return [{"name": f"projects/{r['project']}/messages/{r['id']}", "token": r["token"],
                 "message": json.loads(r["body"]), "received": r["received"]} for r in rows]
