"""The sandbox's HTTP server (aiohttp): CloudPayments' API, the payment page, and a small
control API for tests. See the package docstring for the routes."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
import time
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web

from sandboxes.cloudpayments import page
from sandboxes.cloudpayments.notifier import Notifier, payment_fields, refund_fields
from sandboxes.cloudpayments.settings import SandboxSettings
from sandboxes.cloudpayments.store import Order, Store
from sandboxes.faults import install, take

log = logging.getLogger("sandbox.cloudpayments")


SETTINGS = web.AppKey("settings", SandboxSettings)
STORE = web.AppKey("store", Store)
NOTIFIER = web.AppKey("notifier", Notifier)
TASKS: web.AppKey[set[asyncio.Task[Any]]] = web.AppKey("tasks")
API_METHODS = ("orders/create", "orders/cancel", "payments/refund")
FAULT_MODES = ("error", "stall", "refuse")


def _reply(model: Any = None, *, success: bool = True, message: str | None = None) -> dict[str, Any]:
    return {"Model": model, "Success": success, "Message": message}


def _kopecks(value: Any) -> int:
    try:
        amount = Decimal(str(value)) * 100
    except InvalidOperation as exc:
        raise ValueError(f"Amount {value!r} is not a number") from exc
    if amount <= 0 or amount != amount.to_integral_value():
        raise ValueError(f"Amount {value!r} must be positive, in whole kopecks")
    return int(amount)


def _authorized(request: web.Request) -> bool:
    settings = request.app[SETTINGS]
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return (hmac.compare_digest(user.encode(), settings.public_id.encode())
            and hmac.compare_digest(password.encode(), settings.api_secret.encode()))


async def _params(request: web.Request) -> dict[str, Any]:
    """The API takes JSON or form bodies, like CloudPayments'."""
    if request.content_type == "application/json":
        body = await request.json()
        return body if isinstance(body, dict) else {}
    return dict(await request.post())


def _order_json(order: Order, settings: SandboxSettings) -> dict[str, Any]:
    return {"Id": order.id, "Number": order.number, "Amount": float(Decimal(order.amount) / 100),
            "Currency": order.currency, "CurrencyCode": 0, "Email": order.email, "Description": order.description,
            "RequireConfirmation": False, "Url": f"{settings.base_url}/pay/{order.id}", "CultureName": "ru-RU",
            "CreatedDate": f"/Date({int(order.created * 1000)})/",
            "CreatedDateIso": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(order.created)),
            "PaymentDate": f"/Date({int(order.paid * 1000)})/" if order.paid else None,
            "StatusCode": {"Created": 0, "Paid": 2, "Cancelled": 3}[order.status], "Status": order.status,
            "InvoiceId": order.invoice_id, "AccountId": order.account_id}


def _spawn(app: web.Application, coroutine: Any) -> None:
    task = asyncio.create_task(coroutine)
    app[TASKS].add(task)
    task.add_done_callback(app[TASKS].discard)


# --- CloudPayments' API ---

async def api(request: web.Request) -> web.Response:
    method = request.match_info["method"]
    if method not in API_METHODS and method != "test":
        return web.json_response(_reply(success=False, message=f"Method {method} is not in the sandbox"),
                                 status=404)
    if not _authorized(request):
        return web.Response(status=401, text="Authorization has been denied for this request.")
    if method == "test":
        return web.json_response(_reply(message=request.headers.get("X-Request-ID", "ok")))
    try:
        params = await _params(request)
    except (ValueError, json.JSONDecodeError):
        return web.json_response(_reply(success=False, message="Request body is not JSON or a form"))
    if (fault := take(request.app, method, params)) is not None:
        if fault.mode == "error":
            return web.Response(status=500, text="Internal Server Error (sandbox fault injection)")
        if fault.mode == "refuse":
            return web.json_response(_reply(success=False, message=fault.message))
        await asyncio.sleep(fault.seconds)  # stall, then answer (and act) as usual
    store = request.app[STORE]
    request_id = request.headers.get("X-Request-ID", "")
    if request_id and (earlier := store.reply_for(request_id)) is not None:
        return web.json_response(earlier)  # a repeated request gets the first answer
    handler = {"orders/create": _create, "orders/cancel": _cancel, "payments/refund": _refund}[method]
    reply = handler(request.app, params)
    if request_id:
        store.remember_reply(request_id, method, reply)
    return web.json_response(reply)


def _create(app: web.Application, params: dict[str, Any]) -> dict[str, Any]:
    try:
        amount = _kopecks(params.get("Amount"))
    except ValueError as exc:
        return _reply(success=False, message=str(exc))
    if not str(params.get("Description") or "").strip():
        return _reply(success=False, message="Description is required")
    order = app[STORE].create_order(
        amount=amount, currency=str(params.get("Currency") or "RUB"), description=str(params["Description"]),
        invoice_id=str(params.get("InvoiceId") or ""), account_id=str(params.get("AccountId") or ""),
        email=str(params.get("Email") or ""))
    log.info("order %s created: %s kopecks, invoice %s", order.id, amount, order.invoice_id)
    return _reply(_order_json(order, app[SETTINGS]))


def _cancel(app: web.Application, params: dict[str, Any]) -> dict[str, Any]:
    store = app[STORE]
    order = store.order(str(params.get("Id") or ""))
    if order is None:
        return _reply(success=False, message="Order not found")
    if order.status == "Created":
        store.set_order(order.id, status="Cancelled", message="The merchant cancelled this order.")
        log.info("order %s cancelled", order.id)
    return _reply()


def _refund(app: web.Application, params: dict[str, Any]) -> dict[str, Any]:
    store, notifier = app[STORE], app[NOTIFIER]
    try:
        payment = store.transaction(int(params.get("TransactionId") or 0))
        amount = _kopecks(params.get("Amount"))
    except ValueError as exc:
        return _reply(success=False, message=str(exc))
    if payment is None or payment.kind != "payment" or payment.status != "Completed":
        return _reply(success=False, message="Transaction not found or not a completed payment")
    left = payment.amount - store.refunded(payment.id)
    if amount > left:
        return _reply(success=False, message=f"Refund amount exceeds the amount left ({left / 100:.2f})")
    order = store.order(payment.order_id)
    assert order is not None
    refund = store.add_transaction(order.id, "refund", "Completed", amount, payment.id)
    notification = notifier.build("refund", refund_fields(order, refund), order, refund.id)
    log.info("refund %d of %d kopecks on payment %d", refund.id, amount, payment.id)
    # Like CloudPayments: the API answers first, the Refund notification follows.
    _spawn(app, notifier.deliver(notification))
    return _reply({"TransactionId": refund.id})


# --- the payment page ---

async def pay_page(request: web.Request) -> web.Response:
    order = request.app[STORE].order(request.match_info["order_id"])
    if order is None:
        return web.Response(status=404, text="No such order", content_type="text/plain")
    return web.Response(text=page.render(order), content_type="text/html")


async def pay_submit(request: web.Request) -> web.Response:
    """The payer pressed Pay or Decline: Check first; if the merchant accepts, the
    payment (Pay) or its decline (Fail). Then back to the page (POST-redirect-GET)."""
    store, notifier = request.app[STORE], request.app[NOTIFIER]
    order = store.order(request.match_info["order_id"])
    if order is None:
        return web.Response(status=404, text="No such order", content_type="text/plain")
    action = (await request.post()).get("action")
    if action not in ("pay", "decline"):
        return web.Response(status=400, text="action must be pay or decline", content_type="text/plain")
    if order.status != "Created":
        store.set_order(order.id, message=f"This order is {order.status.lower()}: nothing was charged.")
        raise web.HTTPSeeOther(f"/pay/{order.id}")
    attempt = store.add_transaction(order.id, "payment", "Pending", order.amount)
    check = await notifier.deliver(notifier.build("check", payment_fields("check", order, attempt), order,
                                                  attempt.id), retry=False)
    if not check.delivered:
        store.set_transaction_status(attempt.id, "Declined")
        why = f"code {check.code}" if check.code is not None else check.result
        store.set_order(order.id, message=f"The merchant refused the payment (Check answered {why}). "
                                          "Nothing was charged.")
        raise web.HTTPSeeOther(f"/pay/{order.id}")
    if action == "pay":
        store.set_transaction_status(attempt.id, "Completed")
        store.set_order(order.id, status="Paid", paid=True)
        kind = "pay"
    else:
        store.set_transaction_status(attempt.id, "Declined")
        kind = "fail"
    notification = notifier.build(kind, payment_fields(kind, order, attempt), order, attempt.id)
    delivery = await notifier.deliver(notification)
    told = "the merchant confirmed" if delivery.delivered else f"telling the merchant ({delivery.result}); retrying"
    done = "Paid" if kind == "pay" else "Declined: insufficient funds (5051); you may try again"
    store.set_order(order.id, message=f"{done}. Transaction {attempt.id}: {told}.")
    raise web.HTTPSeeOther(f"/pay/{order.id}")


# --- control API (tests, fault injection) ---

async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def sandbox_order(request: web.Request) -> web.Response:
    store = request.app[STORE]
    order = store.order(request.match_info["order_id"])
    if order is None:
        return web.json_response({"error": "no such order"}, status=404)
    return web.json_response({**_order_json(order, request.app[SETTINGS]),
                              "Transactions": [t.__dict__ for t in store.transactions(order.id)]})


async def sandbox_orders(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    found = request.app[STORE].orders(request.query.get("invoiceId", ""))
    return web.json_response({"orders": [_order_json(order, settings) for order in found]})


async def notifications(request: web.Request) -> web.Response:
    q = request.query
    found = request.app[STORE].notifications(invoice_id=q.get("invoiceId", ""), order_id=q.get("orderId", ""),
                                             kind=q.get("kind", ""))
    return web.json_response({"notifications": [n.as_json() for n in found]})


def build(settings: SandboxSettings) -> web.Application:
    if not (settings.public_id and settings.api_secret):
        raise SystemExit("sandbox: KGO_CLOUDPAYMENTS_PUBLIC_ID and KGO_CLOUDPAYMENTS_API_SECRET must be set")
    app = web.Application()
    app[SETTINGS] = settings
    app[STORE] = Store(settings.state_file)
    app[NOTIFIER] = Notifier(settings, app[STORE])
    app[TASKS] = set()
    app.router.add_post("/{method:(orders|payments)/[a-z]+|test}", api)
    app.router.add_get("/pay/{order_id}", pay_page)
    app.router.add_post("/pay/{order_id}", pay_submit)
    app.router.add_get("/sandbox/health", health)
    app.router.add_get("/sandbox/orders", sandbox_orders)
    app.router.add_get("/sandbox/orders/{order_id}", sandbox_order)
    app.router.add_get("/sandbox/notifications", notifications)
    install(app, API_METHODS, FAULT_MODES, default_seconds={"stall": 30.0})

    async def lifecycle(app: web.Application) -> Any:
        await app[NOTIFIER].start()
        worker = asyncio.create_task(app[NOTIFIER].run())
        yield
        worker.cancel()
        pending: set[asyncio.Task[Any]] = app[TASKS]
        for task in [*pending]:
            task.cancel()
        await app[NOTIFIER].close()
        app[STORE].close()

    app.cleanup_ctx.append(lifecycle)
    return app
