"""TicketsCloud (https://ticketscloud.readthedocs.io, "Ticketscloud v2 API") behind the
TicketVendor port, as a distributor speaks to it:

- JSON over HTTPS to <base URL>/v2/resources/..., `Authorization: key <API key>`;
  replies `{"data": ..., "refs": ...}`.
- A TicketsCloud event is one performance: our session's id *is* that event id (the
  admin publishes a TicketsCloud-backed session with it, see kgo/demo_city/sellable.py),
  and our tier ids are its `sets` (ticket categories). Seated events are bought by
  ticket (seat): `tickets`.
- reserve: `POST /v2/resources/orders {"event", "random": {set: count}}` (general
  admission) or `{"event", "tickets": [seats]}` -> 201, an order `reserved` until
  `reserved_till` (TicketsCloud's own setting; ours, 15 minutes, runs out first). 409
  `tickets_unavailable`: someone else has them -> Conflict (SOLD_OUT / SEAT_TAKEN).
  Never repeated: a second POST would make a second order. Its id is kept in
  vendor_orders by our order id; a POST whose answer is lost leaves an order we cannot
  name, which TicketsCloud expires at reserved_till (no seat is kept for good).
- confirm: `PATCH /v2/resources/orders/<id> {"status": "executed"}` once; a timeout is
  not retried blindly but reconciled by the use case with `status`.
- release: `PATCH ... {"status": "cancelled"}`, repeated on failure (the same status
  again changes nothing); an order already expired or cancelled is released already.
- status: `GET /v2/resources/orders/<id>`: reserved -> "reserved", executed ->
  "confirmed", cancelled/expired -> "released"; unknown order -> "unknown".
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
from services.ticketing.adapters.vendors.vendor_orders import VendorOrderIds
from services.ticketing.domain.model import Ticket
from services.ticketing.service_layer.ports import Reservation, ReservationLost

log = get_logger(__name__)

NAME = "ticketscloud"
_STATES = {"reserved": "reserved", "executed": "confirmed", "done": "confirmed", "cancelled": "released",
           "canceled": "released", "expired": "released"}


class TicketsCloudVendor:
    name = NAME

    def __init__(self, base_url: str, api_key: str, order_ids: VendorOrderIds, calls: VendorCalls, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not (base_url and api_key):
            raise ValueError("TicketsCloud base URL and API key must both be configured")
        self._calls = calls
        self._ids = order_ids
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=calls.timeout, transport=transport,
                                       headers={"Authorization": f"key {api_key}", "Accept": "application/json"})

    async def close(self) -> None:
        await self._http.aclose()

    def _refused(self, method: str, response: httpx.Response) -> VendorUnavailable:
        """An answer we did not expect (401 wrong key, 404, 400): our configuration or a
        contract mismatch, not the buyer's doing; nothing was done there."""
        log.error("vendor refused", vendor=NAME, method=method, status=response.status_code,
                  body=response.text[:300])
        return VendorUnavailable(f"{NAME} {method}: HTTP {response.status_code}", "VENDOR_REFUSED", {"vendor": NAME})

    async def reserve(self, order_id: str, event_ref: str, session_ref: str, tickets: Sequence[Ticket],
                      hold_seconds: int) -> Reservation:
        seats = [t.seat for t in tickets if t.seat]
        random = Counter(t.tier_id for t in tickets if not t.seat)
        body: dict[str, Any] = {"event": session_ref}
        if random:
            body["random"] = dict(random)
        if seats:
            body["tickets"] = seats
        response = await self._calls.call("orders.create", lambda: self._http.post("/v2/resources/orders", json=body),
                                          safe_to_repeat=False)
        if response.status_code == 409:
            if seats:
                raise Conflict("a seat was just taken at the vendor", "SEAT_TAKEN", {"vendor": NAME})
            raise Conflict("tickets were just sold out at the vendor", "SOLD_OUT", {"vendor": NAME})
        if response.status_code != 201:
            raise self._refused("orders.create", response)
        order = response.json()["data"]
        try:
            await self._ids.remember(order_id, NAME, order["id"])
        except Exception:
            try:
                await self._cancel(order["id"])  # we could not name it later: let it go now
            except Exception as exc:  # it expires there at reserved_till
                log.warning("vendor order left to expire", vendor=NAME, vendor_order_id=order["id"], error=str(exc))
            raise
        log.info("vendor order reserved", vendor=NAME, order_id=order_id, vendor_order_id=order["id"])
        till = order.get("reserved_till")
        return Reservation(order_id, tuple(seats), datetime.fromisoformat(till) if till else None)

    async def _vendor_id(self, reservation_id: str) -> str | None:
        return await self._ids.find(reservation_id)

    async def confirm(self, reservation_id: str) -> None:
        vendor_id = await self._vendor_id(reservation_id)
        if vendor_id is None:
            raise ReservationLost(f"no {NAME} order for {reservation_id}")
        response = await self._calls.call(
            "orders.update", lambda: self._http.patch(f"/v2/resources/orders/{vendor_id}", json={"status": "executed"}),
            safe_to_repeat=False)
        if response.status_code == 409:  # expired or cancelled there: the seats are gone
            raise ReservationLost(f"{NAME} order {vendor_id}: {response.json().get('error', 'conflict')}")
        if response.status_code != 200:
            raise self._refused("orders.update", response)

    async def _cancel(self, vendor_id: str) -> None:
        response = await self._calls.call(
            "orders.update", lambda: self._http.patch(f"/v2/resources/orders/{vendor_id}",
                                                      json={"status": "cancelled"}),
            safe_to_repeat=True)
        if response.status_code == 409 and response.json().get("error") == "order_expired":
            return  # gone by itself
        if response.status_code not in (200, 404):
            raise self._refused("orders.update", response)

    async def release(self, reservation_id: str) -> None:
        vendor_id = await self._vendor_id(reservation_id)
        if vendor_id is not None:
            await self._cancel(vendor_id)

    async def status(self, reservation_id: str) -> str:
        vendor_id = await self._vendor_id(reservation_id)
        if vendor_id is None:
            return "unknown"
        response = await self._calls.call(
            "orders.get", lambda: self._http.get(f"/v2/resources/orders/{vendor_id}"), safe_to_repeat=True)
        if response.status_code == 404:
            return "unknown"
        if response.status_code != 200:
            raise self._refused("orders.get", response)
        return _STATES.get(str(response.json()["data"].get("status")), "unknown")
