"""The sandbox's own state in SQLite (orders, transactions, notifications, answered
request ids), so a payment page and pending notifications survive a restart."""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY, number INTEGER NOT NULL UNIQUE, amount INTEGER NOT NULL, currency TEXT NOT NULL,
    description TEXT NOT NULL, invoice_id TEXT NOT NULL, account_id TEXT NOT NULL, email TEXT NOT NULL,
    status TEXT NOT NULL, created REAL NOT NULL, paid REAL, last_message TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS transactions (
    id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
    amount INTEGER NOT NULL, payment_transaction_id INTEGER, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, url TEXT NOT NULL, body BLOB NOT NULL,
    hmac TEXT NOT NULL, order_id TEXT NOT NULL, invoice_id TEXT NOT NULL, transaction_id INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'pending', next_at REAL NOT NULL,
    last_result TEXT NOT NULL DEFAULT '', created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications (state, next_at);
CREATE INDEX IF NOT EXISTS notifications_invoice ON notifications (invoice_id);
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY, method TEXT NOT NULL, reply TEXT NOT NULL, created REAL NOT NULL
);
"""
_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Order:
    id: str
    number: int
    amount: int  # kopecks
    currency: str
    description: str
    invoice_id: str
    account_id: str
    email: str
    status: str  # Created, Paid, Cancelled
    created: float
    paid: float | None
    last_message: str


@dataclass(frozen=True)
class Transaction:
    id: int
    order_id: str
    kind: str  # payment, refund
    status: str  # Completed, Declined
    amount: int
    payment_transaction_id: int | None
    created: float


@dataclass(frozen=True)
class Notification:
    id: int
    kind: str  # check, pay, fail, refund
    url: str
    body: bytes
    hmac: str
    order_id: str
    invoice_id: str
    transaction_id: int
    attempts: int
    state: str  # pending, delivered, abandoned
    next_at: float
    last_result: str
    created: float

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "url": self.url, "body": self.body.decode(),
                "contentHmac": self.hmac, "orderId": self.order_id, "invoiceId": self.invoice_id,
                "transactionId": self.transaction_id, "attempts": self.attempts, "state": self.state,
                "lastResult": self.last_result}


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None)  # autocommit; BEGIN where it matters
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # --- answered requests (X-Request-ID) ---
    def reply_for(self, request_id: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT reply FROM requests WHERE request_id = ?", (request_id,)).fetchone()
        return json.loads(row["reply"]) if row else None

    def remember_reply(self, request_id: str, method: str, reply: dict[str, Any]) -> None:
        self._db.execute("INSERT OR IGNORE INTO requests VALUES (?, ?, ?, ?)",
                         (request_id, method, json.dumps(reply), time.time()))

    # --- orders ---
    def create_order(self, *, amount: int, currency: str, description: str, invoice_id: str, account_id: str,
                     email: str) -> Order:
        order_id = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        row = self._db.execute("SELECT coalesce(max(number), 0) + 1 AS n FROM orders").fetchone()
        self._db.execute(
            "INSERT INTO orders (id, number, amount, currency, description, invoice_id, account_id, email, status, "
            "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Created', ?)",
            (order_id, row["n"], amount, currency, description, invoice_id, account_id, email, time.time()))
        order = self.order(order_id)
        assert order is not None
        return order

    def order(self, order_id: str) -> Order | None:
        row = self._db.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        return Order(**dict(row)) if row else None

    def orders(self, invoice_id: str) -> list[Order]:
        rows = self._db.execute("SELECT * FROM orders WHERE invoice_id = ? ORDER BY number", (invoice_id,)).fetchall()
        return [Order(**dict(r)) for r in rows]

    def set_order(self, order_id: str, *, status: str | None = None, message: str | None = None,
                  paid: bool = False) -> None:
        if status is not None:
            self._db.execute("UPDATE orders SET status = ? WHERE id = ?", (status, order_id))
        if message is not None:
            self._db.execute("UPDATE orders SET last_message = ? WHERE id = ?", (message, order_id))
        if paid:
            self._db.execute("UPDATE orders SET paid = ? WHERE id = ?", (time.time(), order_id))

    # --- transactions ---
    def add_transaction(self, order_id: str, kind: str, status: str, amount: int,
                        payment_transaction_id: int | None = None) -> Transaction:
        # Ids grow with the clock, so a wiped sandbox never hands out an id it gave before
        # (the merchant's records key on them).
        row = self._db.execute("SELECT coalesce(max(id), 0) AS last FROM transactions").fetchone()
        transaction_id = max(row["last"] + 1, int(time.time() * 1000))
        self._db.execute("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (transaction_id, order_id, kind, status, amount, payment_transaction_id, time.time()))
        transaction = self.transaction(transaction_id)
        assert transaction is not None
        return transaction

    def transaction(self, transaction_id: int) -> Transaction | None:
        row = self._db.execute("SELECT * FROM transactions WHERE id = ?", (transaction_id,)).fetchone()
        return Transaction(**dict(row)) if row else None

    def transactions(self, order_id: str) -> list[Transaction]:
        rows = self._db.execute("SELECT * FROM transactions WHERE order_id = ? ORDER BY id", (order_id,)).fetchall()
        return [Transaction(**dict(r)) for r in rows]

    def set_transaction_status(self, transaction_id: int, status: str) -> None:
        self._db.execute("UPDATE transactions SET status = ? WHERE id = ?", (status, transaction_id))

    def refunded(self, payment_transaction_id: int) -> int:
        row = self._db.execute("SELECT coalesce(sum(amount), 0) AS s FROM transactions WHERE kind = 'refund' "
                               "AND payment_transaction_id = ?", (payment_transaction_id,)).fetchone()
        return int(row["s"])

    # --- notifications ---
    def add_notification(self, *, kind: str, url: str, body: bytes, hmac: str, order: Order,
                         transaction_id: int) -> Notification:
        cursor = self._db.execute(
            "INSERT INTO notifications (kind, url, body, hmac, order_id, invoice_id, transaction_id, next_at, "
            "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, url, body, hmac, order.id, order.invoice_id, transaction_id, time.time(), time.time()))
        notification = self.notification(int(cursor.lastrowid or 0))
        assert notification is not None
        return notification

    def notification(self, notification_id: int) -> Notification | None:
        row = self._db.execute("SELECT * FROM notifications WHERE id = ?", (notification_id,)).fetchone()
        return Notification(**dict(row)) if row else None

    def notifications(self, *, invoice_id: str = "", order_id: str = "", kind: str = "") -> list[Notification]:
        query, params = "SELECT * FROM notifications WHERE 1 = 1", []
        for column, value in (("invoice_id", invoice_id), ("order_id", order_id), ("kind", kind)):
            if value:
                query += f" AND {column} = ?"
                params.append(value)
        rows = self._db.execute(query + " ORDER BY id", params).fetchall()
        return [Notification(**dict(r)) for r in rows]

    def due_notifications(self, now: float, limit: int = 50) -> list[Notification]:
        rows = self._db.execute("SELECT * FROM notifications WHERE state = 'pending' AND next_at <= ? "
                                "ORDER BY next_at LIMIT ?", (now, limit)).fetchall()
        return [Notification(**dict(r)) for r in rows]

    def next_due(self) -> float | None:
        row = self._db.execute("SELECT min(next_at) AS t FROM notifications WHERE state = 'pending'").fetchone()
        return row["t"]

    def attempted(self, notification_id: int, *, state: str, result: str, next_at: float) -> None:
        self._db.execute("UPDATE notifications SET attempts = attempts + 1, state = ?, last_result = ?, next_at = ? "
                         "WHERE id = ?", (state, result[:500], next_at, notification_id))
