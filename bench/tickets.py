"""The money path under load, through Envoy on the real platform.

Flash sale: 2,000 purchase attempts at once for the 100 tickets of one `kulturago`
session: exactly 100 orders held, the rest 409, never more held and sold than capacity
(read back from ticketing's own counters).

Sustained: workers buy one ticket each, pay on the CloudPayments sandbox's page (which
sends the signed Check and Pay notifications through the gateway) and wait until the
order is PAID; reports confirmed purchases per second, the latency of the purchase and
of pay -> PAID, and counts `ticket.paid` events against PAID orders (none lost).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import httpx
import psycopg
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

from bench.accounts import signed_in
from bench.report import Check, Section
from bench.wrk import LoadResult
from kgo import provision, topology
from kgo.seed import seeder_token

BASE = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
FLASH_ATTEMPTS, FLASH_CAPACITY = 2000, 100
SUSTAINED_SECONDS, SUSTAINED_WORKERS = 20, 48
BUYERS = 40


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class OnSale:
    slug: str
    session: str
    tier: str


def _publish(http: httpx.Client, admin: str, capacity: int, provider: str = "kulturago") -> OnSale:
    """A fresh event of one session and one tier, on sale once ticketing has it. A
    TicketsCloud-backed one first gets its inventory at the vendor's sandbox, under the
    vendor's ids (session = their event, tier = their ticket set)."""
    slug = f"bench-{uuid.uuid4().hex[:10]}"
    session, tier = "ga", "floor"
    if provider == "ticketscloud":
        session, tier = f"{int(time.time()):08x}{uuid.uuid4().hex[:16]}", uuid.uuid4().hex[:24]
        httpx.put(f"{topology.sandbox('ticketscloud').url}/sandbox/events/{session}", timeout=30, json={
            "title": "Бенчмарк", "sets": [{"id": tier, "name": "Входной", "price": 150000, "amount": capacity}]}
        ).raise_for_status()
    start = (datetime.now(UTC) + timedelta(days=7)).replace(second=0, microsecond=0)
    body = {"slug": slug, "title": "Бенчмарк продаж", "category": "concert", "city": "moscow",
            "place": {"name": "Зал", "address": "ул. Тестовая, 1", "lat": 56.95, "lon": 39.45},
            "ticketProvider": provider, "price": {"min": 0, "max": 0},
            "sessions": [{"id": session, "startTime": _iso(start), "endTime": _iso(start + timedelta(hours=2)),
                          "tiers": [{"id": tier, "name": "Танцпол", "price": "150000", "capacity": capacity}]}]}
    http.post("/api/v1/events", json=body, headers={"Authorization": f"Bearer {admin}"}).raise_for_status()
    deadline = time.monotonic() + 30
    with psycopg.connect(_ticketing_db()) as conn:
        while not conn.execute("SELECT 1 FROM sessions WHERE event_slug = %s", (slug,)).fetchone():
            if time.monotonic() > deadline:
                raise SystemExit("bench: ticketing did not receive the event")
            time.sleep(0.1)
    return OnSale(slug, session, tier)


def _ticketing_db() -> str:
    return topology.database_url("ticketing", provision.postgres_password())


def _buyers(http: httpx.Client, count: int) -> list[dict[str, str]]:
    return signed_in(http, count, login_prefix="buyer", full_name="Покупатель")


def _purchase_body(sale: OnSale) -> dict[str, Any]:
    return {"eventSlug": sale.slug, "sessionId": sale.session, "items": [{"tierId": sale.tier, "quantity": 1}]}


def _ms(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _result(name: str, connections: int, seconds: float, latencies: list[float], errors: int,
            non2xx: int) -> LoadResult:
    return LoadResult(name=name, connections=connections, seconds=seconds, requests=len(latencies),
                      rps=len(latencies) / seconds if seconds else 0.0, p50_ms=_ms(latencies, 0.5),
                      p95_ms=_ms(latencies, 0.95), p99_ms=_ms(latencies, 0.99),
                      max_ms=max(latencies, default=0.0) * 1000, errors=errors, non2xx=non2xx)


def _session(connections: int) -> aiohttp.ClientSession:
    # aiohttp, not httpx: httpx's connection pool costs grow with the requests waiting on
    # it and would measure itself (31 req/s for 2,000 at once, where aiohttp does 1,000+).
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections),
                                 timeout=aiohttp.ClientTimeout(total=120))


async def _flash_sale(sale: OnSale, buyers: list[dict[str, str]]) -> tuple[LoadResult, int, int, int]:
    latencies: list[float] = []
    codes: dict[int, int] = {}
    errors = 0
    async with _session(256) as http:
        async def attempt(n: int) -> None:
            nonlocal errors
            started = time.perf_counter()
            try:
                async with http.post(f"{BASE}/api/v1/tickets/purchase", json=_purchase_body(sale),
                                     headers=buyers[n % len(buyers)]) as reply:
                    await reply.read()
                    status = reply.status
            except aiohttp.ClientError:
                errors += 1
                return
            latencies.append(time.perf_counter() - started)
            codes[status] = codes.get(status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(attempt(n) for n in range(FLASH_ATTEMPTS)))
        elapsed = time.perf_counter() - started
    with psycopg.connect(_ticketing_db()) as conn:
        row = conn.execute(
            "SELECT sum(held), sum(sold), sum(capacity) FROM tiers WHERE event_slug = %s", (sale.slug,)).fetchone()
    held, sold, capacity = row if row else (0, 0, 0)
    over = max(0, int(held) + int(sold) - int(capacity))
    non2xx = sum(count for code, count in codes.items() if code != 200)
    result = _result(f"flash sale: {FLASH_ATTEMPTS} purchases at once, {FLASH_CAPACITY} tickets", 256, elapsed,
                     latencies, errors, non2xx)
    return result, codes.get(200, 0), codes.get(409, 0), over


async def _sustained(sale: OnSale, buyers: list[dict[str, str]], label: str = "kulturago"
                     ) -> tuple[LoadResult, LoadResult, list[str], float]:
    purchase_s: list[float] = []
    confirm_s: list[float] = []
    paid: list[str] = []
    failures = 0
    deadline = time.monotonic() + SUSTAINED_SECONDS
    async with _session(4 * SUSTAINED_WORKERS) as http:
        async def worker(n: int) -> None:
            nonlocal failures
            headers = buyers[n % len(buyers)]
            while time.monotonic() < deadline:
                started = time.perf_counter()
                async with http.post(f"{BASE}/api/v1/tickets/purchase", json=_purchase_body(sale),
                                     headers=headers) as reply:
                    order = await reply.json() if reply.status == 200 else None
                if order is None:
                    failures += 1
                    continue
                purchase_s.append(time.perf_counter() - started)
                pressed = time.perf_counter()
                # The payer presses Pay: the sandbox sends Check and Pay through the gateway.
                async with http.post(order["paymentUrl"], data={"action": "pay"}) as page:
                    await page.read()
                    if page.status != 200:
                        failures += 1
                        continue
                # The order turns PAID when ticketing has applied payment.succeeded. Polled
                # gently: a tight poll by 48 buyers would load the 2 cores more than buying does.
                await asyncio.sleep(0.02)
                while True:
                    async with http.get(f"{BASE}/api/v1/tickets/{order['id']}", headers=headers) as got:
                        status = (await got.json())["status"]
                    if status == "ORDER_STATUS_PAID":
                        break
                    await asyncio.sleep(0.05)
                confirm_s.append(time.perf_counter() - pressed)
                paid.append(order["id"])

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(SUSTAINED_WORKERS)))
        elapsed = time.perf_counter() - started
    purchase = _result(f"sustained, {label}: purchase ({SUSTAINED_WORKERS} buyers paying in a loop)",
                       SUSTAINED_WORKERS, elapsed, purchase_s, 0, failures)
    confirm = _result(f"sustained, {label}: pay on the sandbox -> PAID", SUSTAINED_WORKERS, elapsed, confirm_s, 0, 0)
    return purchase, confirm, paid, elapsed


def _ticket_paid_orders(wanted: set[str], timeout: float = 60.0) -> dict[str, int]:
    """ticket.paid events per order id among `wanted` (the key is the order id)."""
    consumer = Consumer({"bootstrap.servers": f"127.0.0.1:{topology.KAFKA_PORT}",
                         "group.id": f"bench-{uuid.uuid4()}", "enable.auto.commit": False,
                         "enable.partition.eof": True, "log_level": 3})
    counts = dict.fromkeys(wanted, 0)
    try:
        partitions = sorted(consumer.list_topics("ticket.paid", timeout=10).topics["ticket.paid"].partitions)
        consumer.assign([TopicPartition("ticket.paid", p, OFFSET_BEGINNING) for p in partitions])
        at_end: set[int] = set()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            error = msg.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    at_end.add(msg.partition() or 0)
                    if at_end == set(partitions) and all(counts.values()):
                        break
                continue
            at_end.discard(msg.partition() or 0)
            key = (msg.key() or b"").decode()
            if key in counts:
                counts[key] += 1
    finally:
        consumer.close()
    return counts


def run() -> Section:
    with httpx.Client(base_url=BASE, timeout=30) as http:
        admin = seeder_token()
        buyers = _buyers(http, BUYERS)
        flash_sale = _publish(http, admin, FLASH_CAPACITY)
        ours = _publish(http, admin, 100_000)
        vendors = _publish(http, admin, 100_000, provider="ticketscloud")
    flash, won, refused, over = asyncio.run(_flash_sale(flash_sale, buyers))
    purchase, confirm, paid, elapsed = asyncio.run(_sustained(ours, buyers))
    v_purchase, v_confirm, v_paid, v_elapsed = asyncio.run(_sustained(vendors, buyers, "TicketsCloud-backed"))
    counts = _ticket_paid_orders(set(paid) | set(v_paid))
    lost = sum(1 for c in counts.values() if c == 0)
    duplicated = sum(1 for c in counts.values() if c > 1)
    per_second = len(paid) / elapsed if elapsed else 0.0
    vendor_per_second = len(v_paid) / v_elapsed if v_elapsed else 0.0
    return Section(
        title="Tickets: flash sale and sustained confirmed purchases",
        results=[flash, purchase, confirm, v_purchase, v_confirm],
        checks=[
            Check("flash sale: orders held", won, f"== {FLASH_CAPACITY}", won == FLASH_CAPACITY),
            Check("flash sale: oversold", over, "== 0", over == 0),
            Check("flash sale: refused 409", refused, f"== {FLASH_ATTEMPTS - FLASH_CAPACITY}",
                  refused == FLASH_ATTEMPTS - FLASH_CAPACITY),
            Check("confirmed purchases per second (kulturago)", per_second, ">= 300", per_second >= 300),
            Check("confirmed purchases per second (TicketsCloud-backed)", vendor_per_second, "reported", True),
            Check("PAID orders without ticket.paid", lost, "== 0", lost == 0),
            Check("PAID orders with more than one ticket.paid", duplicated, "== 0", duplicated == 0),
        ],
        notes=[f"{len(paid)} kulturago and {len(v_paid)} TicketsCloud-backed orders PAID in {SUSTAINED_SECONDS} s runs "
               f"by {SUSTAINED_WORKERS} concurrent buyers each; {refused} of {FLASH_ATTEMPTS} flash-sale attempts "
               "refused with 409 (sold out)",
               "Load generator (Python, asyncio), Envoy, every service, the sandboxes, PostgreSQL and Kafka share "
               "the same 2 cores."],
    )
