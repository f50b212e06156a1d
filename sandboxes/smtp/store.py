"""The sink's messages in SQLite: the raw bytes as received plus the envelope, one row
each; recipients apart so that `?to=` is an index lookup."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from sandboxes.sqlite_state import open_state

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, received REAL NOT NULL, mail_from TEXT NOT NULL,
    subject TEXT NOT NULL, size INTEGER NOT NULL, auth_user TEXT NOT NULL, tls INTEGER NOT NULL, raw BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS recipients (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE, address TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS recipients_address ON recipients (address, message_id);
"""


@dataclass(frozen=True)
class StoredMessage:
    id: int
    received: float
    mail_from: str
    rcpt_to: tuple[str, ...]
    subject: str
    size: int
    auth_user: str
    tls: bool
    raw: bytes


class Store:
    def __init__(self, path: Path) -> None:
        self._db = open_state(path, _SCHEMA)

    def close(self) -> None:
        self._db.close()

    def add(self, *, mail_from: str, rcpt_to: list[str], subject: str, raw: bytes, auth_user: str,
            tls: bool) -> int:
        self._db.execute("BEGIN")
        cursor = self._db.execute(
            "INSERT INTO messages (received, mail_from, subject, size, auth_user, tls, raw) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (time.time(), mail_from, subject, len(raw), auth_user, int(tls), raw))
        message_id = int(cursor.lastrowid or 0)
        self._db.executemany("INSERT INTO recipients VALUES (?, ?)", [(message_id, a.lower()) for a in rcpt_to])
        self._db.execute("COMMIT")
        return message_id

    def _recipients(self, message_id: int) -> tuple[str, ...]:
        rows = self._db.execute("SELECT address FROM recipients WHERE message_id = ? ORDER BY rowid", (message_id,))
        return tuple(r["address"] for r in rows)

    def _message(self, row: sqlite3.Row) -> StoredMessage:
        return StoredMessage(row["id"], row["received"], row["mail_from"], self._recipients(row["id"]), row["subject"],
                             row["size"], row["auth_user"], bool(row["tls"]), bytes(row["raw"]))

    def get(self, message_id: int) -> StoredMessage | None:
        row = self._db.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
        return self._message(row) if row else None

    def list(self, *, to: str = "", limit: int = 50) -> list[StoredMessage]:
        if to:
            rows = self._db.execute("SELECT m.* FROM messages m JOIN recipients r ON r.message_id = m.id "
                                    "WHERE r.address = ? ORDER BY m.id DESC LIMIT ?", (to.lower(), limit))
        else:
            rows = self._db.execute("SELECT * FROM messages ORDER BY id DESC LIMIT ?", (limit,))
        return [self._message(r) for r in rows.fetchall()]

    def delete(self, *, to: str = "") -> int:
        if to:
            cursor = self._db.execute("DELETE FROM messages WHERE id IN (SELECT message_id FROM recipients "
                                      "WHERE address = ?)", (to.lower(),))
        else:
            cursor = self._db.execute("DELETE FROM messages")
        return cursor.rowcount
