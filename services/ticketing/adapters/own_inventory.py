"""The TicketVendor of `kulturago`: we hold the inventory ourselves (ticketing's own
PostgreSQL, see repository.py), so there is nobody to ask: every call succeeds at once."""

from __future__ import annotations

from collections.abc import Sequence

from services.ticketing.domain.model import Ticket
from services.ticketing.service_layer.ports import Reservation


class OwnInventory:
    async def reserve(self, order_id: str, event_ref: str, session_ref: str, tickets: Sequence[Ticket],
                      hold_seconds: int) -> Reservation:
        return Reservation(order_id, tuple(t.seat for t in tickets if t.seat), None)

    async def confirm(self, reservation_id: str) -> None:
        return None

    async def release(self, reservation_id: str) -> None:
        return None

    async def status(self, reservation_id: str) -> str:
        return "confirmed"
