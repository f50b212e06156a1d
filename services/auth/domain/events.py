"""Domain events of auth-service (past tense); published as protobuf via the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from services.auth.domain.model import User


@dataclass(frozen=True, slots=True)
class UserSignedUp:
    user: User


@dataclass(frozen=True, slots=True)
class UserUpdated:
    user: User
    changed_fields: tuple[str, ...]
