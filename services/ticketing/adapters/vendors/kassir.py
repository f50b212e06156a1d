"""Kassir.ru behind the TicketVendor port.

Kassir.ru has no public partner API documentation (its agent integrations are made
under contract), so this module states the protocol we model, and
sandboxes/kassir speaks it. It has the shape of the Russian ticket agents' partner APIs
that are public (reserve seats of a session for a while, then sell or free them),
with one choice made on purpose: a reservation is keyed by *the partner's* order id,
which makes every call idempotent and needs no mapping on our side.

- Transport: JSON over HTTPS to <base URL> (configurable; KGO_KASSIR_BASE_URL),
  `Authorization: Bearer <API key>` (KGO_KASSIR_API_KEY); 401 otherwise. Errors are
  `{"error": {"code": "...", "message": "..."}}` with the HTTP status.
- Sessions: a Kassir session (one performance) has price categories (`categoryId`,
  price in kopecks, quantity) and, with assigned seating, seats (`A-12`). Our session id
  is the Kassir session id; our tier ids are its category ids (kgo/demo_city/sellable.py).
  `GET /v1/sessions/<session>` -> {"session": {id, categories: [{id, name, price,
  quantity, available}], seats: [{id, categoryId, available}]}}.
- Reserve: `PUT /v1/sessions/<session>/reservations/<our order id>` with
  {"items": [{"categoryId", "quantity"}], "seats": ["A-12", ...], "ttlSeconds": <our
  hold + 2 minutes>} -> 201 {"reservation": {id, sessionId, status: "RESERVED", expiresAt,
  tickets: [{number, categoryId, seat}], amount, currency}}; the same PUT again -> 200
  with the same reservation (so a reserve whose answer was lost is repeated safely);
  another body under that id -> 409 RESERVATION_CONFLICT. 409 SEATS_UNAVAILABLE: the
  seats or quantity are not there (nothing held) -> Conflict (SEAT_TAKEN / SOLD_OUT).
  404 SESSION_NOT_FOUND, 400 BAD_REQUEST. Kassir caps ttlSeconds at 30 minutes; a
  reservation not confirmed by then EXPIRES and its seats are free again.
- Confirm: `POST /v1/reservations/<id>/confirm` -> status SOLD (again: the same answer).
  409 RESERVATION_EXPIRED / RESERVATION_CANCELLED: the seats are gone -> ReservationLost.
  Sent once: a timeout is reconciled by the use case with status, not guessed.
- Release: `DELETE /v1/reservations/<id>` -> CANCELLED (again: the same). An id never
  reserved is *fenced*: it stays cancelled, so a reserve that was stalled on its way
  and arrives after our release is refused rather than holding seats nobody frees.
  Repeated on failure. 409 RESERVATION_SOLD: sold already (not ours to undo here).
- Status: `GET /v1/reservations/<id>`: RESERVED -> "reserved", SOLD -> "confirmed",
  CANCELLED / EXPIRED -> "released", 404 -> "unknown".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx

from services.runtime.errors import Conflict
from services.runtime.logging import get_logger
from services.ticketing.adapters.vendors.calls import VendorCalls, VendorUnavailable
from services.ticketing.domain.model import Ticket
from services.ticketing.service_layer.ports import Reservation, ReservationLost

log = get_logger(__name__)

NAME = "kassir"
MAX_TTL_SECONDS = 30 * 60
# The vendor holds a little longer than we do, so that a payment applied in the last
# moments of our hold still finds the reservation there (our expiry releases it anyway).
TTL_MARGIN_SECONDS = 120
_STATES = {"RESERVED": "reserved", "SOLD": "confirmed", "CANCELLED": "released", "EXPIRED": "released"}


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", {}).get("code", ""))
    except ValueError:
        return ""


class KassirVendor:
    name = NAME

    def __init__(self, base_url: str, api_key: str, calls: VendorCalls, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not (base_url and api_key):
            raise ValueError("Kassir base URL and API key must both be configured")
        self._calls = calls
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=calls.timeout, transport=transport,
                                       headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"})

    async def close(self) -> None:
        await self._http.aclose()

    def _refused(self, method: str, response: httpx.Response) -> VendorUnavailable:
        log.error("vendor refused", vendor=NAME, method=method, status=response.status_code,
                  body=response.text[:300])
        return VendorUnavailable(f"{NAME} {method}: HTTP {response.status_code} {_code(response)}".strip(),
                                 "VENDOR_REFUSED", {"vendor": NAME})

    async def reserve(self, order_id: str, event_ref: str, session_ref: str, tickets: Sequence[Ticket],
                      hold_seconds: int) -> Reservation:
        seats = [t.seat for t in tickets if t.seat]
        items = Counter(t.tier_id for t in tickets if not t.seat)
        body: dict[str, Any] = {"items": [{"categoryId": c, "quantity": q} for c, q in items.items()],
                                "seats": seats, "ttlSeconds": min(hold_seconds + TTL_MARGIN_SECONDS, MAX_TTL_SECONDS)}
        # Keyed by our order id: a repeat returns the same reservation, so retries are safe.
        response = await self._calls.call(
            "reservations.create",
            lambda: self._http.put(f"/v1/sessions/{session_ref}/reservations/{order_id}", json=body),
            safe_to_repeat=True)
        if response.status_code == 409 and _code(response) == "SEATS_UNAVAILABLE":
            if seats:
                raise Conflict("a seat was just taken at the vendor", "SEAT_TAKEN", {"vendor": NAME})
            raise Conflict("tickets were just sold out at the vendor", "SOLD_OUT", {"vendor": NAME})
        if response.status_code not in (200, 201):
            raise self._refused("reservations.create", response)
        reservation = response.json()["reservation"]
        log.info("vendor reservation made", vendor=NAME, order_id=order_id)
        expires = reservation.get("expiresAt")
        return Reservation(order_id, tuple(seats),
                           datetime.fromisoformat(expires.replace("Z", "+00:00")) if expires else None)

    async def confirm(self, reservation_id: str) -> None:
        response = await self._calls.call(
            "reservations.confirm", lambda: self._http.post(f"/v1/reservations/{reservation_id}/confirm"),
            safe_to_repeat=False)
        if response.status_code in (404, 409):
            raise ReservationLost(f"{NAME} reservation {reservation_id}: {_code(response) or response.status_code}")
        if response.status_code != 200:
            raise self._refused("reservations.confirm", response)

    async def release(self, reservation_id: str) -> None:
        response = await self._calls.call(
            "reservations.cancel", lambda: self._http.delete(f"/v1/reservations/{reservation_id}"),
            safe_to_repeat=True)
        if response.status_code == 409 and _code(response) == "RESERVATION_EXPIRED":
            return  # gone by itself
        if response.status_code != 200:
            raise self._refused("reservations.cancel", response)

    async def status(self, reservation_id: str) -> str:
        response = await self._calls.call(
            "reservations.get", lambda: self._http.get(f"/v1/reservations/{reservation_id}"), safe_to_repeat=True)
        if response.status_code == 404:
            return "unknown"
        if response.status_code != 200:
            raise self._refused("reservations.get", response)
        return _STATES.get(str(response.json()["reservation"].get("status")), "unknown")
