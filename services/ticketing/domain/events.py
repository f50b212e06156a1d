"""Domain events of ticketing-service (past tense); published as protobuf via the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from services.ticketing.domain.model import Order


@dataclass(frozen=True, slots=True)
class TicketReserved:
    order: Order


@dataclass(frozen=True, slots=True)
class TicketPaid:
    order: Order
    late: bool = False


@dataclass(frozen=True, slots=True)
class TicketCancelled:
    order: Order
    reason: str


@dataclass(frozen=True, slots=True)
class TicketExpired:
    order: Order


@dataclass(frozen=True, slots=True)
class TicketRefunded:
    order: Order
    amount: int
    full: bool
    reason: str


TicketEvent = TicketReserved | TicketPaid | TicketCancelled | TicketExpired | TicketRefunded
