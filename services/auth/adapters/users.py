"""PostgreSQL repository of users, on the connection of a unit of work."""

from __future__ import annotations

from typing import Any

from psycopg import errors

from services.auth.domain.model import StoredPassword, User
from services.runtime.errors import AlreadyExists
from services.runtime.unit_of_work import InTransaction

_COLUMNS = ("id::text AS id, email, login, full_name, phone, city, birth_date, bio, interests, "
            "avatar, roles, create_time, update_time")
_BY_LOGIN = "lower(email) = lower(%(name)s) OR lower(login) = lower(%(name)s)"


def _user(row: dict[str, Any]) -> User:
    return User(
        id=row["id"], email=row["email"], login=row["login"], full_name=row["full_name"],
        phone=row["phone"], city=row["city"], birth_date=row["birth_date"], bio=row["bio"],
        interests=tuple(row["interests"]), avatar=row["avatar"], roles=tuple(row["roles"]),
        create_time=row["create_time"], update_time=row["update_time"],
    )


class PostgresUsers:
    def __init__(self, tx: InTransaction) -> None:
        self._tx = tx

    async def add(self, *, email: str, login: str, full_name: str, password_hash: str) -> User:
        conn = self._tx.connection
        try:
            # A savepoint: a taken email or login leaves the outer transaction usable.
            async with conn.transaction():
                cur = await conn.execute(
                    f"INSERT INTO users (email, login, full_name, password_hash, password_nfkc) "
                    f"VALUES (%s, %s, %s, %s, true) RETURNING {_COLUMNS}",
                    (email, login, full_name, password_hash),
                )
                row = await cur.fetchone()
        except errors.UniqueViolation as exc:
            field = "email" if "email" in (exc.diag.constraint_name or "") else "login"
            raise AlreadyExists(f"{field} is already taken", f"{field.upper()}_TAKEN", {"field": field}) from exc
        assert row is not None
        return _user(row)

    async def get(self, user_id: str, *, for_update: bool = False) -> User | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await (await self._tx.connection.execute(
            f"SELECT {_COLUMNS} FROM users WHERE id = %s{lock}", (user_id,))).fetchone()
        return _user(row) if row else None

    async def find(self, login_or_email: str, *, for_update: bool = False) -> User | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await (await self._tx.connection.execute(
            f"SELECT {_COLUMNS} FROM users WHERE {_BY_LOGIN}{lock}", {"name": login_or_email})).fetchone()
        return _user(row) if row else None

    async def credentials(self, login_or_email: str) -> tuple[User, StoredPassword] | None:
        row = await (await self._tx.connection.execute(
            f"SELECT {_COLUMNS}, password_hash, password_nfkc FROM users WHERE {_BY_LOGIN}",
            {"name": login_or_email},
        )).fetchone()
        return (_user(row), StoredPassword(row["password_hash"], row["password_nfkc"])) if row else None

    async def replace_password_hash(self, user_id: str, old_hash: str, new_hash: str) -> None:
        await self._tx.connection.execute(
            "UPDATE users SET password_hash = %s, password_nfkc = true WHERE id = %s AND password_hash = %s",
            (new_hash, user_id, old_hash))

    async def save(self, user: User) -> None:
        await self._tx.connection.execute(
            "UPDATE users SET full_name = %s, phone = %s, city = %s, birth_date = %s, bio = %s, "
            "interests = %s, avatar = %s, roles = %s, update_time = %s WHERE id = %s",
            (user.full_name, user.phone, user.city, user.birth_date, user.bio, list(user.interests),
             user.avatar, list(user.roles), user.update_time, user.id),
        )
