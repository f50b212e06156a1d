"""The CloudPayments sandbox itself (sandboxes/cloudpayments), run in-process against a
merchant played by the test: notifications signed over the exact bytes sent, Check
before Pay, retries with backoff until the merchant answers {"code":0}, bounded (then
abandoned), and a Check refusal that charges nothing."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from aiohttp import web
from envoy_support import free_port

from sandboxes.cloudpayments.app import build
from sandboxes.cloudpayments.settings import SandboxSettings

SECRET = "sandbox-test-secret"


@dataclass
class Merchant:
    """The merchant's callback: answers each kind with the next scripted reply."""

    replies: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    received: list[tuple[str, dict[str, list[str]], bool]] = field(default_factory=list)  # (kind, fields, signed)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
        kind = request.query["notification"]
        self.received.append((kind, parse_qs(body.decode()), request.headers.get("Content-HMAC") == expected))
        script = self.replies.get(kind, [])
        status, text = script.pop(0) if script else (200, '{"code":0}')
        return web.Response(status=status, text=text, content_type="application/json")


@dataclass
class Running:
    url: str
    merchant: Merchant


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Running]:
    merchant = Merchant()
    merchant_app = web.Application()
    merchant_app.router.add_post("/callback", merchant.handle)
    merchant_port, sandbox_port = free_port(), free_port()
    settings = SandboxSettings(public_id="pk_test", api_secret=SECRET, port=sandbox_port,
                               notify_url=f"http://127.0.0.1:{merchant_port}/callback",
                               state_file=tmp_path / "cp.sqlite3", retry_initial_seconds=0.1,
                               retry_max_seconds=0.4, retry_attempts=4)
    runners = []
    for app, port in ((merchant_app, merchant_port), (build(settings), sandbox_port)):
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
    yield Running(settings.base_url, merchant)
    for runner in reversed(runners):
        await runner.cleanup()


async def order(client: httpx.AsyncClient, invoice: str = "inv-1") -> str:
    reply = await client.post("/orders/create", auth=("pk_test", SECRET),
                              json={"Amount": 12.5, "Currency": "RUB", "Description": "d", "InvoiceId": invoice,
                                    "AccountId": "a-1"})
    model = reply.json()["Model"]
    assert model["Url"].endswith(f"/pay/{model['Id']}") and model["Amount"] == 12.5
    return str(model["Id"])


async def notifications(client: httpx.AsyncClient, kind: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = (await client.get("/sandbox/notifications", params={"kind": kind})).json()[
        "notifications"]
    return found


async def test_api_needs_the_merchants_credentials(sandbox: Running) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        assert (await client.post("/orders/create", json={"Amount": 1})).status_code == 401
        assert (await client.post("/orders/create", auth=("pk_test", "wrong"), json={})).status_code == 401
        refused = await client.post("/orders/create", auth=("pk_test", SECRET), json={"Amount": 1})
        assert refused.json() == {"Model": None, "Success": False, "Message": "Description is required"}


async def test_pay_sends_check_then_a_signed_pay_and_retries_until_code_0(sandbox: Running) -> None:
    sandbox.merchant.replies["pay"] = [(500, "oops"), (200, '{"code":13}')]
    async with httpx.AsyncClient(base_url=sandbox.url, follow_redirects=True) as client:
        order_id = await order(client)
        page = await client.post(f"/pay/{order_id}", data={"action": "pay"})
        assert 'data-status="Paid"' in page.text and "retrying" in page.text
        for _ in range(50):
            [pay] = await notifications(client, "pay")
            if pay["state"] == "delivered":
                break
            await asyncio.sleep(0.1)
    assert (pay["state"], pay["attempts"]) == ("delivered", 3)
    kinds = [kind for kind, _, _ in sandbox.merchant.received]
    assert kinds == ["check", "pay", "pay", "pay"]
    assert all(signed for _, _, signed in sandbox.merchant.received)
    fields = sandbox.merchant.received[1][1]
    assert (fields["Amount"], fields["InvoiceId"], fields["AccountId"], fields["Status"]) == (
        ["12.50"], ["inv-1"], ["a-1"], ["Completed"])


async def test_an_unanswered_notification_is_abandoned_after_its_attempts(sandbox: Running) -> None:
    sandbox.merchant.replies["fail"] = [(503, "down")] * 10
    async with httpx.AsyncClient(base_url=sandbox.url, follow_redirects=True) as client:
        order_id = await order(client)
        await client.post(f"/pay/{order_id}", data={"action": "decline"})
        for _ in range(50):
            [fail] = await notifications(client, "fail")
            if fail["state"] != "pending":
                break
            await asyncio.sleep(0.1)
    assert (fail["state"], fail["attempts"]) == ("abandoned", 4)


async def test_a_check_refusal_charges_nothing(sandbox: Running) -> None:
    sandbox.merchant.replies["check"] = [(200, '{"code":13}')]
    async with httpx.AsyncClient(base_url=sandbox.url, follow_redirects=True) as client:
        order_id = await order(client)
        page = await client.post(f"/pay/{order_id}", data={"action": "pay"})
        assert "Check answered code 13" in page.text and 'value="pay"' in page.text
        detail = (await client.get(f"/sandbox/orders/{order_id}")).json()
    assert detail["Status"] == "Created" and [t["status"] for t in detail["Transactions"]] == ["Declined"]
    assert [kind for kind, _, _ in sandbox.merchant.received] == ["check"]
