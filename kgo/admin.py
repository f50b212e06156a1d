"""`kgo admin create`: sign the user up through the gateway if needed, then grant the
admin role in auth-service's database (there is deliberately no API for that)."""

from __future__ import annotations

import asyncio

import httpx
import psycopg
from psycopg.rows import dict_row

from kgo import provision, topology
from kgo.console import say
from services.auth.adapters import users


def create_admin(*, email: str, password: str, login: str | None = None) -> None:
    base = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
    login = login or email.split("@", 1)[0].replace("+", "_")
    reply = httpx.post(f"{base}/api/v1/auth/signup",
                       json={"email": email, "login": login, "password": password}, timeout=10)
    if reply.status_code not in (200, 409):
        raise SystemExit(f"kgo: sign-up failed: {reply.status_code} {reply.text}")
    asyncio.run(_grant(email))
    say(f"{email} has the admin role (sign in again to get a token with it)")


async def _grant(email: str) -> None:
    url = topology.database_url("auth", provision.postgres_password())
    async with await psycopg.AsyncConnection.connect(url, row_factory=dict_row) as conn:
        if await users.credentials(conn, email) is None:
            raise SystemExit(f"kgo: no user with e-mail {email}")
        await users.grant_role(conn, email, "admin")  # no-op when already an admin
        await conn.commit()
