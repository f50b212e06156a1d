"""Migrations run once per deploy; a service refuses to start on an older schema
(services/runtime/db.py) and says what to do."""

from __future__ import annotations

import subprocess
import sys

import pytest

from services.runtime.db import SchemaBehind, migrate, require_schema, service_migrations


async def test_a_service_refuses_a_schema_older_than_its_code(scratch_database: str) -> None:
    with pytest.raises(SchemaBehind) as caught:
        await require_schema(scratch_database, service_migrations("event"))
    message = str(caught.value)
    assert "missing migrations" in message and "0001_events" in message and "kgo migrate" in message

    await migrate(scratch_database, service_migrations("event"))
    await require_schema(scratch_database, service_migrations("event"))  # up to date: no error


def test_the_migrate_entry_point_applies_a_services_migrations_once(scratch_database: str) -> None:
    def run() -> str:
        done = subprocess.run([sys.executable, "-m", "services.runtime.migrate", "search"],
                              env={"KGO_DATABASE_URL": scratch_database, "PATH": "/usr/bin:/bin"},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "0001_documents" in run()
    assert run().strip() == "search: applied 0 migration(s)"
