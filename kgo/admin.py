"""`kgo admin create [--role staff]`: sign the user up if needed, then grant the admin
(or door staff) role, both through
auth-service's own use cases on its database (there is deliberately no API for roles).

Going through the use cases keeps the rules in one place: the contract's input rules,
argon2id hashing, and the events (`user.signed_up`, `user.updated` with changed field
`roles`) staged in the same transaction as the change and published by auth's relay.
"""

from __future__ import annotations

import asyncio

from kgo import provision, topology
from kgo.console import say
from kulturago.auth.v1 import auth_service_pb2
from services.auth.adapters.common_passwords import CommonPasswords
from services.auth.adapters.passwords import Argon2PasswordHasher
from services.auth.adapters.unit_of_work import AuthUnitOfWork
from services.auth.service_layer.accounts import Accounts
from services.runtime.db import open_pool
from services.runtime.errors import AlreadyExists, InvalidArgument, NotFound
from services.runtime.rpc.validation import validate

ADMIN_ROLE = "admin"


def create_admin(*, email: str, password: str, login: str | None = None, role: str = ADMIN_ROLE) -> None:
    login = login or email.split("@", 1)[0].replace("+", "_")
    try:
        # The rules SignUp enforces at the gateway, checked here the same way.
        validate(auth_service_pb2.SignUpRequest(email=email, login=login, password=password))
    except InvalidArgument as exc:
        raise SystemExit(f"kgo: {exc} (use --login to choose another login)"
                         if exc.metadata.get("field") == "login" else f"kgo: {exc}") from None
    try:
        created = asyncio.run(_create(email=email, login=login, password=password, role=role))
    except InvalidArgument as exc:  # the password rules of sign-up (too common, contains the login, ...)
        raise SystemExit(f"kgo: {exc}") from None
    state = "signed up and given" if created else "has"
    say(f"{email} {state} the {role} role (sign in again to get a token with it)")


async def _create(*, email: str, login: str, password: str, role: str = ADMIN_ROLE) -> bool:
    """True when the user was signed up now (an existing one keeps their password)."""
    pool = await open_pool(topology.database_url("auth", provision.postgres_password()), min_size=1, max_size=2)
    try:
        accounts = Accounts(unit_of_work=lambda: AuthUnitOfWork(pool), passwords=Argon2PasswordHasher(),
                            blocklist=CommonPasswords())
        try:
            await accounts.sign_up(email=email, login=login, password=password, full_name="")
            created = True
        except AlreadyExists as exc:
            if exc.metadata.get("field") == "login":
                raise SystemExit(f"kgo: login {login!r} is taken by another account: pass --login") from None
            created = False
        try:
            await accounts.grant_role(email, role)  # no change, no event when the user has it already
        except NotFound:
            raise SystemExit(f"kgo: no user with e-mail {email}") from None
        return created
    finally:
        await pool.close()
