"""Errors the service layer raises; one interceptor turns them into google.rpc.Status.

Pure Python (no grpc) so domain and use-case code can raise them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldViolation:
    field: str  # JSON (lowerCamelCase) path of the offending field
    description: str


@dataclass
class ServiceError(Exception):
    """Base: `reason` is the UPPER_SNAKE ErrorInfo reason."""

    message: str
    reason: str = "ERROR"
    metadata: dict[str, str] = field(default_factory=dict)
    violations: list[FieldViolation] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class InvalidArgument(ServiceError):
    """400: bad input; carries field violations."""

    @classmethod
    def on_field(cls, field_name: str, description: str, reason: str = "INVALID_ARGUMENT") -> InvalidArgument:
        return cls(f"{field_name}: {description}", reason, {"field": field_name},
                   [FieldViolation(field_name, description)])


class Unauthenticated(ServiceError):
    """401."""


class PermissionDenied(ServiceError):
    """403."""


class NotFound(ServiceError):
    """404."""


class AlreadyExists(ServiceError):
    """409."""


class Conflict(ServiceError):
    """409 (ABORTED): the request collides with the current state: sold out, a seat
    taken, an order already paid, a ticket already used. `reason` says which; the
    client decides anew (another seat, another session) rather than retrying as is."""


class FailedPrecondition(ServiceError):
    """400 through Envoy (FAILED_PRECONDITION); state does not allow the request."""


class ResourceExhausted(ServiceError):
    """429."""


class Unavailable(ServiceError):
    """503: a dependency is down; the request changed nothing and can be retried."""


class DependencyUnavailable(Exception):
    """Infrastructure a background worker needs is unreachable (database, broker).

    Not a property of the message or request being handled: a worker that meets it
    stops and is restarted by its supervisor with backoff, without dead-lettering."""


class TransactionConflict(Exception):
    """The transaction lost a race PostgreSQL could not order (serialization failure,
    deadlock) and was rolled back; running the whole unit of work again is safe and will
    likely pass (`services.runtime.transactions.retrying`). Raised by the unit of work."""
