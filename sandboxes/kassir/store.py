"""The sandbox's own inventory and reservations in SQLite, so they survive a restart.

A Kassir session has price categories (with a quantity) and, for assigned seating,
seats; a reservation is keyed by the partner's own order id and holds tickets of one
session. What is left is counted from live tickets (of reservations RESERVED and not
past `expiresAt`, and of SOLD ones). Every change runs in one synchronous call (the
server is one asyncio loop), so two reservations cannot interleave.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS categories (
    session TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, price INTEGER NOT NULL, quantity INTEGER NOT NULL,
    PRIMARY KEY (session, id)
);
CREATE TABLE IF NOT EXISTS seats (session TEXT NOT NULL, seat TEXT NOT NULL, category TEXT NOT NULL,
                                  PRIMARY KEY (session, seat));
CREATE TABLE IF NOT EXISTS reservations (
    id TEXT PRIMARY KEY, session TEXT NOT NULL, status TEXT NOT NULL, expires REAL NOT NULL, created REAL NOT NULL,
    updated REAL NOT NULL, amount INTEGER NOT NULL, request_hash TEXT NOT NULL, channel TEXT NOT NULL DEFAULT 'partner'
);
CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT, reservation TEXT NOT NULL, session TEXT NOT NULL, category TEXT NOT NULL,
    seat TEXT, live INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS tickets_live ON tickets (session, category) WHERE live = 1;
CREATE UNIQUE INDEX IF NOT EXISTS tickets_one_live_seat ON tickets (session, seat) WHERE live = 1 AND seat IS NOT NULL;
"""


class SeatsUnavailable(Exception):
    pass


class NotFound(Exception):
    pass


class Mismatch(Exception):
    """The reservation id exists with another request (or was cancelled before)."""


@dataclass(frozen=True)
class Reservation:
    id: str
    session: str
    status: str  # RESERVED | SOLD | CANCELLED | EXPIRED
    expires: float
    created: float
    updated: float
    amount: int
    request_hash: str
    channel: str
    tickets: tuple[tuple[int, str, str | None], ...]  # (ticket number, category, seat)


def request_hash(session: str, items: dict[str, int], seats: list[str]) -> str:
    return hashlib.sha256(json.dumps([session, sorted(items.items()), sorted(seats)]).encode()).hexdigest()


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def _begin(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def put_session(self, session_id: str, title: str, categories: list[dict[str, Any]],
                    seats: tuple[tuple[str, str], ...] = ()) -> None:
        self._begin()
        self._db.execute("INSERT INTO sessions VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title",
                         (session_id, title))
        for c in categories:
            self._db.execute("INSERT INTO categories VALUES (?, ?, ?, ?, ?) ON CONFLICT (session, id) DO UPDATE SET "
                             "name = excluded.name, price = excluded.price, quantity = excluded.quantity",
                             (session_id, str(c["id"]), str(c["name"]), int(c["price"]), int(c["quantity"])))
        self._db.executemany("INSERT OR IGNORE INTO seats VALUES (?, ?, ?)",
                             [(session_id, seat, category) for seat, category in seats])
        self._db.execute("COMMIT")

    def session(self, session_id: str, now: float) -> dict[str, Any] | None:
        self.expire(now)
        row = self._db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            return None
        categories = [{"id": c["id"], "name": c["name"], "price": c["price"], "quantity": c["quantity"],
                       "available": max(0, c["quantity"] - self._taken(session_id, c["id"]))}
                      for c in self._db.execute("SELECT * FROM categories WHERE session = ? ORDER BY id",
                                                (session_id,))]
        seats = [{"id": r["seat"], "categoryId": r["category"], "available": not r["taken"]}
                 for r in self._db.execute(
                     "SELECT s.seat, s.category, EXISTS (SELECT 1 FROM tickets t WHERE t.session = s.session "
                     "AND t.seat = s.seat AND t.live = 1) AS taken FROM seats s WHERE s.session = ? ORDER BY s.seat",
                     (session_id,))]
        return {"id": row["id"], "title": row["title"], "categories": categories, "seats": seats}

    def _taken(self, session_id: str, category: str) -> int:
        return int(self._db.execute("SELECT count(*) AS n FROM tickets WHERE session = ? AND category = ? AND live = 1",
                                    (session_id, category)).fetchone()["n"])

    def expire(self, now: float) -> None:
        due = [r["id"] for r in self._db.execute(
            "SELECT id FROM reservations WHERE status = 'RESERVED' AND expires <= ?", (now,))]
        for reservation_id in due:
            self.set_status(reservation_id, "EXPIRED", now)

    def reserve(self, reservation_id: str, session_id: str, *, items: dict[str, int], seats: list[str], now: float,
                ttl: float, channel: str = "partner", status: str = "RESERVED") -> tuple[Reservation, bool]:
        """(the reservation, created now?). The same id and request again: the existing
        one (idempotent); Mismatch for another request or a cancelled id;
        SeatsUnavailable (nothing taken); NotFound; ValueError."""
        self.expire(now)
        digest = request_hash(session_id, items, seats)
        existing = self.reservation(reservation_id, now)
        if existing is not None:
            if existing.request_hash != digest or existing.status == "CANCELLED":
                raise Mismatch(f"reservation {reservation_id} is {existing.status.lower()} with another request"
                               if existing.request_hash != digest else f"reservation {reservation_id} was cancelled")
            return existing, False
        if self._db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
            raise NotFound(f"session {session_id} not found")
        lines: list[tuple[str, str | None]] = []
        for category, quantity in items.items():
            row = self._db.execute("SELECT quantity FROM categories WHERE session = ? AND id = ?",
                                   (session_id, category)).fetchone()
            if row is None or quantity < 1:
                raise ValueError(f"no category {category} in session {session_id}" if row is None
                                 else "quantity must be at least 1")
            if row["quantity"] - self._taken(session_id, category) < quantity:
                raise SeatsUnavailable(f"not enough tickets left in category {category}")
            lines += [(category, None)] * quantity
        for seat in seats:
            row = self._db.execute("SELECT category FROM seats WHERE session = ? AND seat = ?",
                                   (session_id, seat)).fetchone()
            if row is None:
                raise ValueError(f"no seat {seat} in session {session_id}")
            if self._db.execute("SELECT 1 FROM tickets WHERE session = ? AND seat = ? AND live = 1",
                                (session_id, seat)).fetchone():
                raise SeatsUnavailable(f"seat {seat} is not available")
            lines.append((row["category"], seat))
        if not lines:
            raise ValueError("a reservation needs items or seats")
        prices = {r["id"]: r["price"] for r in self._db.execute("SELECT id, price FROM categories WHERE session = ?",
                                                                 (session_id,))}
        self._begin()
        self._db.execute("INSERT INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (reservation_id, session_id, status, now + ttl, now, now,
                          sum(prices[c] for c, _ in lines), digest, channel))
        self._db.executemany("INSERT INTO tickets (reservation, session, category, seat) VALUES (?, ?, ?, ?)",
                             [(reservation_id, session_id, c, seat) for c, seat in lines])
        self._db.execute("COMMIT")
        created = self.reservation(reservation_id, now)
        assert created is not None
        return created, True

    def fence(self, reservation_id: str, now: float) -> None:
        """A cancel of an id never reserved: it stays cancelled, so a reservation request
        with it that arrives late is refused instead of holding seats nobody will free."""
        self._db.execute("INSERT OR IGNORE INTO reservations VALUES (?, '', 'CANCELLED', ?, ?, ?, 0, '', 'partner')",
                         (reservation_id, now, now, now))

    def reservation(self, reservation_id: str, now: float) -> Reservation | None:
        row = self._db.execute("SELECT * FROM reservations WHERE id = ?", (reservation_id,)).fetchone()
        if row is None:
            return None
        if row["status"] == "RESERVED" and row["expires"] <= now:
            self.set_status(reservation_id, "EXPIRED", now)
            return self.reservation(reservation_id, now)
        tickets = tuple((t["id"], t["category"], t["seat"]) for t in self._db.execute(
            "SELECT id, category, seat FROM tickets WHERE reservation = ? ORDER BY id", (reservation_id,)))
        return Reservation(**dict(row), tickets=tickets)

    def reservations(self, session_id: str) -> list[Reservation]:
        ids = [r["id"] for r in self._db.execute("SELECT id FROM reservations WHERE session = ? ORDER BY created",
                                                 (session_id,))]
        return [r for r in (self.reservation(i, time.time()) for i in ids) if r is not None]

    def set_status(self, reservation_id: str, status: str, now: float) -> None:
        self._begin()
        self._db.execute("UPDATE reservations SET status = ?, updated = ? WHERE id = ?", (status, now, reservation_id))
        if status in ("CANCELLED", "EXPIRED"):
            self._db.execute("UPDATE tickets SET live = 0 WHERE reservation = ?", (reservation_id,))
        self._db.execute("COMMIT")
