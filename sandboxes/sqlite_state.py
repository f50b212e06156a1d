"""A sandbox's own state: one SQLite file (KGO_<NAME>_SANDBOX_STATE), opened the same way
by each, so that what a test or a developer did survives a restart of the sandbox."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_state(path: Path, schema: str) -> sqlite3.Connection:
    """Autocommit (BEGIN where several statements must land together), WAL, rows by name,
    foreign keys on, `schema` (CREATE ... IF NOT EXISTS statements) applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(schema)
    return db
