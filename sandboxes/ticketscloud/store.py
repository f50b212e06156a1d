"""The sandbox's own inventory and orders in SQLite, so reservations survive a restart.

An event (a TicketsCloud event is one performance: our session) has sets (ticket
categories with a price and an amount) and, for assigned seating, seats; an order holds
tickets of one event. What is left is counted from the live tickets (those of reserved
orders not yet past `reserved_till`, and of executed ones), never from a counter: the
numbers cannot drift. Every change runs in one synchronous call (the server is one
asyncio loop), so two reserves cannot interleave between the check and the insert.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sets (
    event TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, price INTEGER NOT NULL, amount INTEGER NOT NULL,
    PRIMARY KEY (event, id)
);
CREATE TABLE IF NOT EXISTS seats (event TEXT NOT NULL, seat TEXT NOT NULL, set_id TEXT NOT NULL,
                                  PRIMARY KEY (event, seat));
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY, number INTEGER NOT NULL, event TEXT NOT NULL, status TEXT NOT NULL,
    reserved_till REAL NOT NULL, created REAL NOT NULL, updated REAL NOT NULL, value INTEGER NOT NULL,
    channel TEXT NOT NULL DEFAULT 'api'
);
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY, order_id TEXT NOT NULL, event TEXT NOT NULL, set_id TEXT NOT NULL, seat TEXT,
    live INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS tickets_live ON tickets (event, set_id) WHERE live = 1;
CREATE UNIQUE INDEX IF NOT EXISTS tickets_one_live_seat ON tickets (event, seat) WHERE live = 1 AND seat IS NOT NULL;
CREATE INDEX IF NOT EXISTS orders_reserved ON orders (reserved_till) WHERE status = 'reserved';
"""


def object_id() -> str:
    """An id shaped like TicketsCloud's (a 24-hex MongoDB ObjectId)."""
    return f"{int(time.time()):08x}" + secrets.token_hex(8)


class Unavailable(Exception):
    """Some of the tickets asked for are gone (sold or held by someone else)."""


class NotFound(Exception):
    pass


@dataclass(frozen=True)
class Order:
    id: str
    number: int
    event: str
    status: str  # reserved | executed | cancelled | expired
    reserved_till: float
    created: float
    updated: float
    value: int  # kopecks
    channel: str
    tickets: tuple[tuple[str, str, str | None], ...]  # (ticket id, set id, seat)


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

    # --- inventory ---
    def put_event(self, event_id: str, title: str, sets: list[dict[str, Any]],
                  seats: tuple[tuple[str, str], ...] = ()) -> None:
        """Create an event or update its sets and seats (amounts never below what is taken)."""
        with self._tx():
            self._db.execute("INSERT INTO events VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title",
                             (event_id, title))
            for s in sets:
                self._db.execute(
                    "INSERT INTO sets VALUES (?, ?, ?, ?, ?) ON CONFLICT (event, id) DO UPDATE SET "
                    "name = excluded.name, price = excluded.price, amount = excluded.amount",
                    (event_id, str(s["id"]), str(s["name"]), int(s["price"]), int(s["amount"])))
            self._db.executemany("INSERT OR IGNORE INTO seats VALUES (?, ?, ?)",
                                 [(event_id, seat, set_id) for seat, set_id in seats])

    def event(self, event_id: str, now: float) -> dict[str, Any] | None:
        self.expire(now)
        row = self._db.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            return None
        sets = []
        for s in self._db.execute("SELECT * FROM sets WHERE event = ? ORDER BY id", (event_id,)).fetchall():
            taken = self._taken(event_id, s["id"])
            sets.append({"id": s["id"], "name": s["name"], "price": s["price"], "amount": s["amount"],
                         "amount_vacant": max(0, s["amount"] - taken)})
        seats = [{"id": r["seat"], "set": r["set_id"], "vacant": not r["taken"]} for r in self._db.execute(
            "SELECT s.seat, s.set_id, EXISTS (SELECT 1 FROM tickets t WHERE t.event = s.event AND t.seat = s.seat "
            "AND t.live = 1) AS taken FROM seats s WHERE s.event = ? ORDER BY s.seat", (event_id,))]
        return {"id": row["id"], "title": row["title"], "sets": sets, "seats": seats}

    def _taken(self, event_id: str, set_id: str) -> int:
        row = self._db.execute("SELECT count(*) AS n FROM tickets WHERE event = ? AND set_id = ? AND live = 1",
                               (event_id, set_id)).fetchone()
        return int(row["n"])

    # --- orders ---
    def expire(self, now: float) -> None:
        """Reservations past their reserved_till give their tickets back."""
        due = [r["id"] for r in self._db.execute(
            "SELECT id FROM orders WHERE status = 'reserved' AND reserved_till <= ?", (now,))]
        if not due:
            return
        with self._tx():
            for order_id in due:
                self._db.execute("UPDATE orders SET status = 'expired', updated = ? WHERE id = ?", (now, order_id))
                self._db.execute("UPDATE tickets SET live = 0 WHERE order_id = ?", (order_id,))

    def reserve(self, event_id: str, *, random: dict[str, int], tickets: list[str], now: float, ttl: float,
                channel: str = "api", status: str = "reserved") -> Order:
        """An order holding `random` (set -> how many) and the seat tickets named in
        `tickets`, all or nothing: Unavailable (nothing taken), NotFound, ValueError."""
        self.expire(now)
        if self._db.execute("SELECT 1 FROM events WHERE id = ?", (event_id,)).fetchone() is None:
            raise NotFound(f"event {event_id} not found")
        lines: list[tuple[str, str | None]] = []
        for set_id, count in random.items():
            row = self._db.execute("SELECT amount FROM sets WHERE event = ? AND id = ?", (event_id, set_id)).fetchone()
            if row is None:
                raise ValueError(f"set {set_id} is not a set of event {event_id}")
            if count < 1:
                raise ValueError(f"random[{set_id}] must be at least 1")
            if row["amount"] - self._taken(event_id, set_id) < count:
                raise Unavailable(f"not enough vacant tickets in set {set_id}")
            lines += [(set_id, None)] * count
        for seat in tickets:
            row = self._db.execute("SELECT set_id FROM seats WHERE event = ? AND seat = ?", (event_id, seat)).fetchone()
            if row is None:
                raise ValueError(f"ticket {seat} is not a ticket of event {event_id}")
            if self._db.execute("SELECT 1 FROM tickets WHERE event = ? AND seat = ? AND live = 1",
                                (event_id, seat)).fetchone():
                raise Unavailable(f"ticket {seat} is not vacant")
            lines.append((row["set_id"], seat))
        if not lines:
            raise ValueError("an order needs `random` or `tickets`")
        prices = {r["id"]: r["price"] for r in self._db.execute("SELECT id, price FROM sets WHERE event = ?",
                                                                 (event_id,))}
        order_id = object_id()
        with self._tx():
            number = self._db.execute("SELECT coalesce(max(number), 497291000) + 1 AS n FROM orders").fetchone()["n"]
            self._db.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (order_id, number, event_id, status, now + ttl, now, now,
                              sum(prices[s] for s, _ in lines), channel))
            self._db.executemany("INSERT INTO tickets (id, order_id, event, set_id, seat) VALUES (?, ?, ?, ?, ?)",
                                 [(object_id(), order_id, event_id, set_id, seat) for set_id, seat in lines])
        order = self.order(order_id, now)
        assert order is not None
        return order

    def order(self, order_id: str, now: float) -> Order | None:
        self.expire(now)
        row = self._db.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        if row is None:
            return None
        tickets = tuple((t["id"], t["set_id"], t["seat"]) for t in self._db.execute(
            "SELECT id, set_id, seat FROM tickets WHERE order_id = ? ORDER BY rowid", (order_id,)))
        return Order(**dict(row), tickets=tickets)

    def orders(self, event_id: str, now: float) -> list[Order]:
        ids = [r["id"] for r in self._db.execute("SELECT id FROM orders WHERE event = ? ORDER BY created",
                                                 (event_id,))]
        return [o for o in (self.order(i, now) for i in ids) if o is not None]

    def set_status(self, order_id: str, status: str, now: float) -> None:
        with self._tx():
            self._db.execute("UPDATE orders SET status = ?, updated = ? WHERE id = ?", (status, now, order_id))
            if status in ("cancelled", "expired"):
                self._db.execute("UPDATE tickets SET live = 0 WHERE order_id = ?", (order_id,))

    def _tx(self) -> Any:
        db = self._db

        class _Tx:
            def __enter__(self) -> None:
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type: Any, *_: Any) -> None:
                db.execute("ROLLBACK" if exc_type else "COMMIT")

        return _Tx()
