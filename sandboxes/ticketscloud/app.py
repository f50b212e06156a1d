"""The sandbox's HTTP server (aiohttp): TicketsCloud's v2 orders API and a small control
API for tests. See the package docstring for the routes."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from sandboxes.faults import install, take
from sandboxes.ticketscloud.settings import SandboxSettings
from sandboxes.ticketscloud.store import NotFound, Order, Store, Unavailable

log = logging.getLogger("sandbox.ticketscloud")

METHODS = ("orders.create", "orders.update", "orders.get")
FAULT_MODES = ("error", "latency", "stall", "taken", "lose")
# How long TicketsCloud keeps an order `reserved` before it expires (its setting, not the partner's).
RESERVE_SECONDS = 20 * 60


SETTINGS = web.AppKey("settings", SandboxSettings)
STORE = web.AppKey("store", Store)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds")


def _rubles(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def _order_json(order: Order) -> dict[str, Any]:
    return {"id": order.id, "number": order.number, "event": order.event, "status": order.status,
            "reserved_till": _iso(order.reserved_till), "created_at": _iso(order.created),
            "updated_at": _iso(order.updated),
            "tickets": [{"id": t, "set": s, "seat": seat} for t, s, seat in order.tickets],
            "value": _rubles(order.value), "values": {"nominal": _rubles(order.value), "extra": "0.00",
                                                      "full": _rubles(order.value)}}


def _data(value: Any, status: int = 200) -> web.Response:
    return web.json_response({"data": value, "refs": {}}, status=status)


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def _authorized(request: web.Request) -> bool:
    scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
    expected = request.app[SETTINGS].api_key
    return scheme.lower() == "key" and hmac.compare_digest(key.strip().encode(), expected.encode())




# --- TicketsCloud's API ---

async def create_order(request: web.Request) -> web.Response:
    if not _authorized(request):
        return _error(401, "unauthorized", "Authorization: key <API key> is missing or wrong")
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "bad_request", "the body is not JSON")
    if not isinstance(body, dict) or not isinstance(body.get("event"), str):
        return _error(400, "bad_request", "`event` (an event id) is required")
    event = body["event"]
    random = body.get("random") or {}
    tickets = body.get("tickets") or []
    if not isinstance(random, dict) or not isinstance(tickets, list):
        return _error(400, "bad_request", "`random` is {set id: count}, `tickets` a list of seats")
    store = request.app[STORE]
    fault = take(request.app, "orders.create", {"event": event})
    if fault is not None:
        if fault.mode == "error":
            return _error(fault.status, "internal_error", "sandbox fault injection")
        if fault.mode == "taken":
            # Someone bought them a moment before us (the box office, another partner).
            try:
                store.reserve(event, random={str(k): int(v) for k, v in random.items()},
                              tickets=[str(t) for t in tickets], now=time.time(), ttl=0, channel="box office",
                              status="executed")
            except (Unavailable, NotFound, ValueError):
                pass
            return _error(409, "tickets_unavailable", "the tickets asked for were just sold")
        await asyncio.sleep(fault.seconds)  # stall: then act as usual
    try:
        order = store.reserve(event, random={str(k): int(v) for k, v in random.items()},
                              tickets=[str(t) for t in tickets], now=time.time(), ttl=RESERVE_SECONDS)
    except NotFound as exc:
        return _error(404, "not_found", str(exc))
    except Unavailable as exc:
        return _error(409, "tickets_unavailable", str(exc))
    except (ValueError, TypeError) as exc:
        return _error(400, "bad_request", str(exc))
    log.info("order %s reserved: event %s, %d tickets", order.id, event, len(order.tickets))
    return _data(_order_json(order), status=201)


async def get_order(request: web.Request) -> web.Response:
    if not _authorized(request):
        return _error(401, "unauthorized", "Authorization: key <API key> is missing or wrong")
    store, order_id = request.app[STORE], request.match_info["order_id"]
    order = store.order(order_id, time.time())
    if order is None:
        return _error(404, "not_found", f"order {order_id} not found")
    fault = take(request.app, "orders.get", {"event": order.event, "order": order.id})
    if fault is not None:
        if fault.mode == "error":
            return _error(fault.status, "internal_error", "sandbox fault injection")
        await asyncio.sleep(fault.seconds)
        order = store.order(order_id, time.time()) or order
    return _data(_order_json(order))


# An order moves reserved -> executed (sold) or cancelled; expired when its time ran out.
_ALLOWED = {("reserved", "executed"), ("reserved", "cancelled")}


async def update_order(request: web.Request) -> web.Response:
    if not _authorized(request):
        return _error(401, "unauthorized", "Authorization: key <API key> is missing or wrong")
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "bad_request", "the body is not JSON")
    wanted = str((body or {}).get("status", "")) if isinstance(body, dict) else ""
    wanted = "cancelled" if wanted == "canceled" else wanted  # the v1 docs spell it both ways
    if wanted not in ("executed", "cancelled"):
        return _error(400, "bad_request", "`status` must be executed or cancelled")
    store, order_id = request.app[STORE], request.match_info["order_id"]
    order = store.order(order_id, time.time())
    if order is None:
        return _error(404, "not_found", f"order {order_id} not found")
    fault = take(request.app, "orders.update", {"event": order.event, "order": order.id, "status": wanted})
    if fault is not None:
        if fault.mode == "lose" and order.status == "reserved":
            store.set_status(order.id, "expired", time.time())  # the vendor dropped the reservation
            log.warning("order %s lost (fault injection)", order.id)
        if fault.mode == "error":
            return _error(fault.status, "internal_error", "sandbox fault injection")
        await asyncio.sleep(fault.seconds)  # stall (or lose): then act as usual
        order = store.order(order_id, time.time()) or order
    if order.status == wanted:
        return _data(_order_json(order))  # already there: the same answer again
    if (order.status, wanted) not in _ALLOWED:
        return _error(409, f"order_{order.status}", f"order {order.id} is {order.status}: cannot become {wanted}")
    store.set_status(order.id, wanted, time.time())
    log.info("order %s %s", order.id, wanted)
    updated = store.order(order.id, time.time())
    assert updated is not None
    return _data(_order_json(updated))


async def get_event(request: web.Request) -> web.Response:
    if not _authorized(request):
        return _error(401, "unauthorized", "Authorization: key <API key> is missing or wrong")
    event = request.app[STORE].event(request.match_info["event_id"], time.time())
    if event is None:
        return _error(404, "not_found", "event not found")
    return _data(event)


# --- control API (tests, fault injection) ---

async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def put_event(request: web.Request) -> web.Response:
    body = await request.json()
    sets = [{"id": s["id"], "name": s.get("name", s["id"]), "price": int(s["price"]),
             "amount": int(s["amount"])} for s in body.get("sets", [])]
    seats = tuple((str(seat), str(set_id)) for seat, set_id in body.get("seats", []))
    store = request.app[STORE]
    store.put_event(request.match_info["event_id"], str(body.get("title", "")), sets, seats)
    return web.json_response(store.event(request.match_info["event_id"], time.time()))


async def sandbox_event(request: web.Request) -> web.Response:
    event = request.app[STORE].event(request.match_info["event_id"], time.time())
    return web.json_response(event or {"error": "no such event"}, status=200 if event else 404)


async def sandbox_orders(request: web.Request) -> web.Response:
    orders = request.app[STORE].orders(request.query.get("event", ""), time.time())
    return web.json_response({"orders": [{**_order_json(o), "channel": o.channel} for o in orders]})


def seed_demo(store: Store) -> int:
    """The demo city's TicketsCloud-backed sessions (kgo/demo_city), each an event here."""
    from datetime import date

    from kgo.demo_city import vendor_events

    count = 0
    for event in vendor_events(date.today()):
        if event.ticket_provider != "ticketscloud":
            continue
        for session in event.sessions:
            store.put_event(session.id, event.title,
                            [{"id": t.id, "name": t.name, "price": t.price, "amount": t.capacity}
                             for t in session.tiers], session.seats)
            count += 1
    return count


def build(settings: SandboxSettings) -> web.Application:
    if not settings.api_key:
        raise SystemExit("sandbox: KGO_TICKETSCLOUD_API_KEY must be set")
    app = web.Application()
    app[SETTINGS] = settings
    app[STORE] = Store(settings.state_file)
    if settings.seed_demo:
        log.info("seeded %d demo events", seed_demo(app[STORE]))
    app.router.add_post("/v2/resources/orders", create_order)
    app.router.add_get("/v2/resources/orders/{order_id}", get_order)
    app.router.add_patch("/v2/resources/orders/{order_id}", update_order)
    app.router.add_get("/v2/resources/events/{event_id}", get_event)
    app.router.add_get("/sandbox/health", health)
    app.router.add_put("/sandbox/events/{event_id}", put_event)
    app.router.add_get("/sandbox/events/{event_id}", sandbox_event)
    app.router.add_get("/sandbox/orders", sandbox_orders)
    install(app, METHODS, FAULT_MODES, default_seconds={"stall": 30.0, "latency": 0.2})

    async def lifecycle(app: web.Application) -> Any:
        yield
        app[STORE].close()

    app.cleanup_ctx.append(lifecycle)
    return app
