"""Shared fixtures. The platform must be up (`nox -s tests` runs `kgo up` first);
tests talk to the real servers it started: Envoy, PostgreSQL, Redis, Kafka, S3."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import psycopg
import pytest
import redis as redis_sync
from auth_support import Account, sign_up_and_in  # re-exported: tests may import them from here
from confluent_kafka.admin import AdminClient, NewTopic
from psycopg_pool import AsyncConnectionPool

from kgo import provision, topology
from services.runtime.db import migrate, open_pool

GATEWAY = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
KAFKA = f"127.0.0.1:{topology.KAFKA_PORT}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that stop shared servers or drain shared budgets run after all others.
    items.sort(key=lambda item: item.get_closest_marker("disruptive") is not None)


@pytest.fixture(scope="session")
def gateway() -> str:
    return GATEWAY


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(base_url=GATEWAY, timeout=15) as client:
        yield client


@pytest.fixture
async def ahttp() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=GATEWAY, timeout=15) as client:
        yield client


@pytest.fixture(scope="session")
def redis_client() -> redis_sync.Redis:
    return redis_sync.Redis.from_url(provision.redis_url())


def database_url(name: str) -> str:
    return topology.database_url(name, provision.postgres_password())


@pytest.fixture
def account(http: httpx.Client) -> Account:
    """A fresh signed-in user."""
    return sign_up_and_in(http)


@pytest.fixture
def new_account(http: httpx.Client) -> Callable[[], Account]:
    """Makes more fresh signed-in users, for tests that need several."""
    return lambda: sign_up_and_in(http)


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """URL of a new, empty PostgreSQL database, dropped afterwards (also when the
    test left connections open: DROP ... WITH (FORCE))."""
    name = f"test_scratch_{uuid.uuid4().hex[:12]}"
    admin_url = database_url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def runtime_pool(scratch_database: str) -> AsyncIterator[AsyncConnectionPool]:
    """A pool on a scratch database that has the runtime's own tables (outbox, inbox)."""
    await migrate(scratch_database)
    pool = await open_pool(scratch_database, min_size=1, max_size=4)
    yield pool
    await pool.close()


@pytest.fixture
def new_topic() -> Iterator[Callable[[], str]]:
    """Creates Kafka topics with unique names (one partition, so order is total);
    deletes them and their `.dlq` companions afterwards."""
    admin = AdminClient({"bootstrap.servers": KAFKA})
    created: list[str] = []

    def create() -> str:
        name = f"test.{uuid.uuid4().hex[:12]}"
        admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])[name].result(timeout=30)
        created.append(name)
        return name

    yield create
    existing = set(admin.list_topics(timeout=10).topics)
    doomed = [t for name in created for t in (name, f"{name}.dlq") if t in existing]
    if doomed:
        for future in admin.delete_topics(doomed).values():
            future.result(timeout=30)


@pytest.fixture(scope="session")
def admin(http: httpx.Client) -> Account:
    """A signed-in user with the admin role (granted the way `kgo admin create` does)."""
    from kgo.admin import create_admin

    suffix = uuid.uuid4().hex[:8]
    email, password = f"admin-{suffix}@example.com", f"key-{suffix}-pw"  # never containing the e-mail's name
    create_admin(email=email, password=password, login=f"admin_{suffix}")
    tokens = http.post("/api/v1/auth/signin", json={"login": email, "password": password}).json()
    me = http.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['accessToken']}"}).json()
    return Account(me["id"], email, f"admin_{suffix}", password, tokens["accessToken"], tokens["refreshToken"])
