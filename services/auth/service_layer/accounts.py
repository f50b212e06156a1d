"""Use cases: sign up, grant a role (the records of users and the events about them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.auth.domain.events import UserSignedUp, UserUpdated
from services.auth.domain.model import User, grant_role
from services.auth.domain.passwords import check_new_password
from services.auth.service_layer.ports import Clock, PasswordBlocklist, PasswordHasher, UnitOfWorkFactory, utc_now
from services.runtime.errors import NotFound
from services.runtime.logging import get_logger

log = get_logger(__name__)


@dataclass
class Accounts:
    unit_of_work: UnitOfWorkFactory
    passwords: PasswordHasher
    blocklist: PasswordBlocklist
    clock: Clock = field(default=utc_now)

    async def sign_up(self, *, email: str, login: str, password: str, full_name: str) -> User:
        """The new user (user.signed_up is published with it); AlreadyExists names the
        field when the email or the login is taken. Formats are checked by the contract,
        the password's rules (services/auth/domain/passwords.py) here."""
        normalized = check_new_password(password, login=login, email=email, is_common=self.blocklist.is_common)
        password_hash = await self.passwords.hash(normalized)  # before the transaction: ~20 ms
        async with self.unit_of_work() as uow:
            user = await uow.users.add(email=email.strip(), login=login, full_name=full_name.strip(),
                                       password_hash=password_hash)
            await uow.stage(UserSignedUp(user))
        log.info("user signed up", user_id=user.id)
        return user

    async def grant_role(self, login_or_email: str, role: str) -> User:
        """Give the user `role` (user.updated is published with the change); granting a
        role they have changes and publishes nothing. Their next access token carries it."""
        async with self.unit_of_work() as uow:
            user = await uow.users.find(login_or_email.strip(), for_update=True)
            if user is None:
                raise NotFound("user not found", "USER_NOT_FOUND")
            change = grant_role(user, role, now=self.clock())
            if change.changed:
                await uow.users.save(change.user)
                await uow.stage(UserUpdated(change.user, tuple(change.changed)))
        if change.changed:
            log.info("role granted", user_id=user.id, role=role)
        return change.user
