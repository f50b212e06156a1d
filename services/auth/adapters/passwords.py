"""argon2id password hashing (OWASP minimum: m=19 MiB, t=2, p=1)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the account does not exist, so that sign-in takes the same
# time either way and does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("kulturago-timing-equalizer")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False
    return await asyncio.to_thread(verify)


class Argon2PasswordHasher:
    """The PasswordHasher port; hashing runs in a thread (about 20 ms of CPU each)."""

    async def hash(self, password: str) -> str:
        return await hash_password(password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        return await verify_password(stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return _hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
