"""The sandbox's HTTP server (aiohttp): the Kassir partner API as we model it (see the
package docstring) and a small control API for tests."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from sandboxes.faults import install, take
from sandboxes.kassir.settings import SandboxSettings
from sandboxes.kassir.store import Mismatch, NotFound, Reservation, SeatsUnavailable, Store

log = logging.getLogger("sandbox.kassir")

METHODS = ("reservations.create", "reservations.confirm", "reservations.cancel", "reservations.get")
FAULT_MODES = ("error", "latency", "stall", "taken", "lose")
MAX_TTL_SECONDS = 30 * 60


SETTINGS = web.AppKey("settings", SandboxSettings)
STORE = web.AppKey("store", Store)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _json(r: Reservation) -> dict[str, Any]:
    return {"id": r.id, "sessionId": r.session, "status": r.status, "expiresAt": _iso(r.expires),
            "createdAt": _iso(r.created), "updatedAt": _iso(r.updated), "amount": r.amount, "currency": "RUB",
            "tickets": [{"number": n, "categoryId": c, "seat": seat} for n, c, seat in r.tickets]}


def _ok(r: Reservation, status: int = 200) -> web.Response:
    return web.json_response({"reservation": _json(r)}, status=status)


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def _authorized(request: web.Request) -> bool:
    scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(key.strip().encode(),
                                                              request.app[SETTINGS].api_key.encode())


def _unauthorized() -> web.Response:
    return _error(401, "UNAUTHORIZED", "Authorization: Bearer <API key> is missing or wrong")




# --- the partner API ---

async def reserve(request: web.Request) -> web.Response:
    if not _authorized(request):
        return _unauthorized()
    session_id, reservation_id = request.match_info["session_id"], request.match_info["reservation_id"]
    try:
        body = await request.json()
        items = {str(i["categoryId"]): int(i["quantity"]) for i in body.get("items") or []}
        seats = [str(s) for s in body.get("seats") or []]
        ttl = min(float(body.get("ttlSeconds") or 900), MAX_TTL_SECONDS)
    except (ValueError, KeyError, TypeError, AttributeError):
        return _error(400, "BAD_REQUEST", "items: [{categoryId, quantity}], seats: [...], ttlSeconds")
    store = request.app[STORE]
    fault = take(request.app, "reservations.create", {"sessionId": session_id, "reservationId": reservation_id})
    if fault is not None:
        if fault.mode == "error":
            return _error(fault.status, "INTERNAL", "sandbox fault injection")
        if fault.mode == "taken":  # someone bought them a moment before
            try:
                store.reserve(f"box-office-{time.time_ns()}", session_id, items=items, seats=seats, now=time.time(),
                              ttl=0, channel="box office", status="SOLD")
            except (SeatsUnavailable, NotFound, ValueError, Mismatch):
                pass
            return _error(409, "SEATS_UNAVAILABLE", "the seats asked for were just sold")
        await asyncio.sleep(fault.seconds)  # stall: then act as usual
    try:
        reservation, created = store.reserve(reservation_id, session_id, items=items, seats=seats, now=time.time(),
                                             ttl=ttl)
    except NotFound as exc:
        return _error(404, "SESSION_NOT_FOUND", str(exc))
    except SeatsUnavailable as exc:
        return _error(409, "SEATS_UNAVAILABLE", str(exc))
    except Mismatch as exc:
        return _error(409, "RESERVATION_CONFLICT", str(exc))
    except ValueError as exc:
        return _error(400, "BAD_REQUEST", str(exc))
    if created:
        log.info("reservation %s: session %s, %d tickets", reservation_id, session_id, len(reservation.tickets))
    return _ok(reservation, 201 if created else 200)


async def _change(request: web.Request, method: str, target: str) -> web.Response:
    if not _authorized(request):
        return _unauthorized()
    store, reservation_id = request.app[STORE], request.match_info["reservation_id"]
    reservation = store.reservation(reservation_id, time.time())
    if reservation is None:
        if target == "CANCELLED":
            store.fence(reservation_id, time.time())
            fenced = store.reservation(reservation_id, time.time())
            assert fenced is not None
            return _ok(fenced)
        return _error(404, "RESERVATION_NOT_FOUND", f"no reservation {reservation_id}")
    fault = take(request.app, method, {"sessionId": reservation.session, "reservationId": reservation_id})
    if fault is not None:
        if fault.mode == "lose" and reservation.status == "RESERVED":
            store.set_status(reservation_id, "EXPIRED", time.time())
            log.warning("reservation %s lost (fault injection)", reservation_id)
        if fault.mode == "error":
            return _error(fault.status, "INTERNAL", "sandbox fault injection")
        await asyncio.sleep(fault.seconds)
        reservation = store.reservation(reservation_id, time.time()) or reservation
    if reservation.status == target:
        return _ok(reservation)
    if reservation.status != "RESERVED":
        return _error(409, f"RESERVATION_{reservation.status}", f"reservation {reservation_id} is "
                                                                f"{reservation.status.lower()}")
    store.set_status(reservation_id, target, time.time())
    log.info("reservation %s %s", reservation_id, target.lower())
    changed = store.reservation(reservation_id, time.time())
    assert changed is not None
    return _ok(changed)


async def confirm(request: web.Request) -> web.Response:
    return await _change(request, "reservations.confirm", "SOLD")


async def cancel(request: web.Request) -> web.Response:
    return await _change(request, "reservations.cancel", "CANCELLED")


async def get_reservation(request: web.Request) -> web.Response:
    if not _authorized(request):
        return _unauthorized()
    store, reservation_id = request.app[STORE], request.match_info["reservation_id"]
    reservation = store.reservation(reservation_id, time.time())
    if reservation is None:
        return _error(404, "RESERVATION_NOT_FOUND", f"no reservation {reservation_id}")
    fault = take(request.app, "reservations.get", {"sessionId": reservation.session, "reservationId": reservation_id})
    if fault is not None:
        if fault.mode == "error":
            return _error(fault.status, "INTERNAL", "sandbox fault injection")
        await asyncio.sleep(fault.seconds)
        reservation = store.reservation(reservation_id, time.time()) or reservation
    return _ok(reservation)


async def get_session(request: web.Request) -> web.Response:
    if not _authorized(request):
        return _unauthorized()
    session = request.app[STORE].session(request.match_info["session_id"], time.time())
    if session is None:
        return _error(404, "SESSION_NOT_FOUND", "no such session")
    return web.json_response({"session": session})


# --- control API (tests, fault injection) ---

async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def put_session(request: web.Request) -> web.Response:
    body = await request.json()
    categories = [{"id": c["id"], "name": c.get("name", c["id"]), "price": int(c["price"]),
                   "quantity": int(c["quantity"])} for c in body.get("categories", [])]
    seats = tuple((str(seat), str(category)) for seat, category in body.get("seats", []))
    store, session_id = request.app[STORE], request.match_info["session_id"]
    store.put_session(session_id, str(body.get("title", "")), categories, seats)
    return web.json_response(store.session(session_id, time.time()))


async def sandbox_session(request: web.Request) -> web.Response:
    session = request.app[STORE].session(request.match_info["session_id"], time.time())
    return web.json_response(session or {"error": "no such session"}, status=200 if session else 404)


async def sandbox_reservations(request: web.Request) -> web.Response:
    found = request.app[STORE].reservations(request.query.get("sessionId", ""))
    return web.json_response({"reservations": [{**_json(r), "channel": r.channel} for r in found]})


def seed_demo(store: Store) -> int:
    """The demo city's Kassir-backed sessions (kgo/demo_city), with their seat maps."""
    from datetime import date

    from kgo.demo_city import vendor_events

    count = 0
    for event in vendor_events(date.today()):
        if event.ticket_provider != "kassir":
            continue
        for session in event.sessions:
            store.put_session(session.id, event.title,
                              [{"id": t.id, "name": t.name, "price": t.price, "quantity": t.capacity}
                               for t in session.tiers], session.seats)
            count += 1
    return count


def build(settings: SandboxSettings) -> web.Application:
    if not settings.api_key:
        raise SystemExit("sandbox: KGO_KASSIR_API_KEY must be set")
    app = web.Application()
    app[SETTINGS] = settings
    app[STORE] = Store(settings.state_file)
    if settings.seed_demo:
        log.info("seeded %d demo sessions", seed_demo(app[STORE]))
    app.router.add_put("/v1/sessions/{session_id}/reservations/{reservation_id}", reserve)
    app.router.add_get("/v1/sessions/{session_id}", get_session)
    app.router.add_post("/v1/reservations/{reservation_id}/confirm", confirm)
    app.router.add_delete("/v1/reservations/{reservation_id}", cancel)
    app.router.add_get("/v1/reservations/{reservation_id}", get_reservation)
    app.router.add_get("/sandbox/health", health)
    app.router.add_put("/sandbox/sessions/{session_id}", put_session)
    app.router.add_get("/sandbox/sessions/{session_id}", sandbox_session)
    app.router.add_get("/sandbox/reservations", sandbox_reservations)
    install(app, METHODS, FAULT_MODES, default_seconds={"stall": 30.0, "latency": 0.2})

    async def lifecycle(app: web.Application) -> Any:
        yield
        app[STORE].close()

    app.cleanup_ctx.append(lifecycle)
    return app
